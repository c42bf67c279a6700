/// What one group commit did, passed to `GroupCommitWriter.Configuration.onCommit`.
public struct CommitReport: Sendable {
    /// Requests (appends and snapshots) in the transaction.
    public var requests: Int
    /// Ops stored by the requests that succeeded.
    public var ops: Int
    /// Requests that failed (duplicate, version conflict, or the whole commit failing).
    public var failedRequests: Int
    /// From `BEGIN` to the end of `COMMIT`: the WAL is written, not yet fsync'd (`WALSyncer`).
    public var duration: Duration

    /// A report of one transaction.
    public init(requests: Int, ops: Int, failedRequests: Int, duration: Duration) {
        self.requests = requests
        self.ops = ops
        self.failedRequests = failedRequests
        self.duration = duration
    }
}
