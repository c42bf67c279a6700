/// What a join on a shared database needs from the store, read off the room's loop before
/// the join is handled there.
struct JoinPrefetch: Sendable {
    /// The document's stored version when read.
    var storedVersion: Int
    /// The client id's stored row, nil if it stored no op.
    var client: StoredClient?
    /// The join generation taken for this connection.
    var generation: Int
}
