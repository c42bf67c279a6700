import CollabOT

/// An op exactly as it went on the wire: what is resubmitted, unchanged, after a reconnect.
public struct OperationSubmission: Sendable, Hashable {
    /// The per-`clientId` number that makes resubmission idempotent.
    public var seq: Int
    /// The version the op was made against.
    public var version: Int
    /// The op as sent.
    public var operation: TextOperation

    /// A submission.
    public init(seq: Int, version: Int, operation: TextOperation) {
        self.seq = seq
        self.version = version
        self.operation = operation
    }

    /// The `op` message.
    public var message: OutboundMessage { .op(seq: seq, version: version, operation: operation) }
}
