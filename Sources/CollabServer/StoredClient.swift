/// What the op log knows about a client id on a document.
public struct StoredClient: Sendable, Hashable {
    /// The `sub` that stored ops with this client id (the id belongs to it).
    public var sub: String
    /// The highest `seq` stored for this client id.
    public var highestSeq: Int
    /// The version that op was stored as.
    public var highestSeqVersion: Int

    /// A stored client.
    public init(sub: String, highestSeq: Int, highestSeqVersion: Int) {
        self.sub = sub
        self.highestSeq = highestSeq
        self.highestSeqVersion = highestSeqVersion
    }
}
