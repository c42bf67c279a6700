import CollabOT

/// A committed op as the server sends it (`OP_RECORD`, contract §2.2), in the server's version space.
public struct RemoteOperation: Sendable, Hashable {
    /// The version the op was stored as: it takes the document from `version` to `version + 1`.
    public var version: Int
    /// The op as stored (possibly the no-op).
    public var operation: TextOperation
    /// The author's client id.
    public var clientId: String
    /// The author's `seq`.
    public var seq: Int
    /// The author's user id (token `sub`).
    public var user: String
    /// Commit time in milliseconds since the Unix epoch (0 if the server sent none).
    public var timestamp: Int64

    /// A record.
    public init(version: Int, operation: TextOperation, clientId: String, seq: Int, user: String, timestamp: Int64 = 0) {
        self.version = version
        self.operation = operation
        self.clientId = clientId
        self.seq = seq
        self.user = user
        self.timestamp = timestamp
    }
}
