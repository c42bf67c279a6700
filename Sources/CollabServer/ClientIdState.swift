/// What a room knows about one client id: its owner, its seqs, its op in flight.
///
/// Keyed by client id, not by connection: it survives a replacement, so an op in
/// flight on a replaced connection still blocks (`op_in_flight`) and still acks.
struct ClientIdState {
    /// The `sub` the client id belongs to.
    var sub: String
    /// The highest `seq` stored (or being stored); 0 if none.
    var highestSeq = 0
    /// The version the client's latest op was stored as.
    var lastStoredVersion: Int?
    /// The `seq` of the op applied but not yet durable, if any.
    var inFlightSeq: Int?

    init(sub: String) {
        self.sub = sub
    }

    init(stored: StoredClient) {
        sub = stored.sub
        highestSeq = stored.highestSeq
        lastStoredVersion = stored.highestSeqVersion
    }
}
