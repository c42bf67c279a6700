import CollabOT

/// How an op not yet durable came to be, so a catch-up can make it again in a new order.
enum Submission {
    /// A client's op as sent: the version it was made against and the op before any transform.
    case client(base: Int, operation: TextOperation)
    /// A restore: the text it brings back (its op is the diff from whatever the text is then).
    case restore(target: String)
}
