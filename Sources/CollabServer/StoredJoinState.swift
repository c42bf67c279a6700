/// What the store says about a joining client id, read before the join is answered.
public struct StoredJoinState: Sendable, Hashable {
    /// The document's stored version when read (the join answers with at least this).
    public var storedVersion: Int
    /// The client id's stored row, nil if it stored no op.
    public var client: StoredClient?
    /// The join generation taken for this connection on a database shared by several nodes
    /// (nil on one node, where replacement is the room's own business).
    public var generation: Int?

    /// A join state as read.
    public init(storedVersion: Int, client: StoredClient?, generation: Int?) {
        self.storedVersion = storedVersion
        self.client = client
        self.generation = generation
    }
}
