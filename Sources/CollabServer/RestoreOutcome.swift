/// How a restore through a room ended.
enum RestoreOutcome: Equatable {
    /// The restoring op is durable as this version.
    case stored(version: Int)
    /// The text already was the target: nothing stored; the document's version.
    case unchanged(version: Int)
    /// The room failed (storage); nothing may have been stored.
    case failed(String)
}
