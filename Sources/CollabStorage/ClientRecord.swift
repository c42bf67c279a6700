/// What the op log keeps about one client id on one document (the `clients` table): enough
/// for exactly-once across restarts without an index entry per op.
public struct ClientRecord: Equatable, Sendable {
    /// The client id.
    public var clientId: String
    /// The `user` of its first op: the client id's owner.
    public var user: String
    /// The version of its first op.
    public var firstVersion: Int
    /// Its highest stored seq (seqs only grow).
    public var highestSeq: Int
    /// The version of the op stored with `highestSeq`.
    public var highestVersion: Int

    /// A client row.
    public init(clientId: String, user: String, firstVersion: Int, highestSeq: Int, highestVersion: Int) {
        self.clientId = clientId
        self.user = user
        self.firstVersion = firstVersion
        self.highestSeq = highestSeq
        self.highestVersion = highestVersion
    }
}
