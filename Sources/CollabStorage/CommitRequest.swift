/// What a writer's storage thread is asked to do, and whom to tell when it is durable or failed.
public enum CommitRequest: Sendable {
    /// Records, whether they start a new chain (`resync`), and the completion.
    case append([OpRecord], resync: Bool, @Sendable (Result<Void, StorageError>) -> Void)
    /// A snapshot to store, and the completion.
    case snapshot(Snapshot, @Sendable (Result<Void, StorageError>) -> Void)

    /// Whom to tell.
    public var completion: @Sendable (Result<Void, StorageError>) -> Void {
        switch self {
        case .append(_, _, let completion), .snapshot(_, let completion): completion
        }
    }

    /// Ops it appends.
    public var opCount: Int {
        switch self {
        case .append(let records, _, _): records.count
        case .snapshot: 0
        }
    }
}
