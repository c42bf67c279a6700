/// Outcome of a non-blocking operation: done (with a value) or would block.
enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}
