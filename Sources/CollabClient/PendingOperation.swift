import CollabOT

/// The op the client is waiting on: sent (or about to be), not yet acknowledged.
public struct PendingOperation: Sendable, Hashable {
    /// The op transformed over every remote op received since it was made: what it does to the
    /// server's document at the client's current version. Remote ops are transformed against this.
    public internal(set) var operation: TextOperation
    /// What was sent, or nil while it has not been sent (offline edits): an unsent op may still
    /// absorb later edits, a sent one never changes on the wire.
    public internal(set) var submission: OperationSubmission?

    /// A pending op.
    public init(operation: TextOperation, submission: OperationSubmission? = nil) {
        self.operation = operation
        self.submission = submission
    }
}
