import CollabJSON

/// An `op` message with a valid `seq` (contract §2.2).
///
/// `v` and `op` stay raw: the room validates them in the contract's order
/// (a resubmitted stored op is acknowledged whatever its contents).
public struct OpSubmission: Sendable, Hashable {
    /// The per-`clientId` counter, ≥ 1.
    public var seq: Int
    /// The `v` member as sent, nil if absent.
    public var version: JSONValue?
    /// The `op` member as sent, nil if absent.
    public var operation: JSONValue?

    /// A submission; the decoder validates `seq`.
    public init(seq: Int, version: JSONValue?, operation: JSONValue?) {
        self.seq = seq
        self.version = version
        self.operation = operation
    }
}
