/// Where a server's rooms send their appends and snapshots: a writer on a thread of its own
/// that commits whatever is waiting in one transaction (group commit). `GroupCommitWriter`
/// writes SQLite; `PostgresCommitWriter` writes PostgreSQL.
///
/// Completions run on the writer's threads, in submission order, and must return quickly (hop
/// to the caller's thread). A completion's success means durable: fsync'd, or committed.
public protocol OpLogWriter: AnyObject, Sendable {
    /// Queues `records` for the next commit. Once an append of a document fails with
    /// `.versionConflict`, its later appends fail the same way until one comes with `resync`
    /// (made after catching up), so a chain of outstanding appends never lands half.
    func append(_ records: [OpRecord], resync: Bool,
                completion: @escaping @Sendable (Result<Void, StorageError>) -> Void)

    /// Queues a snapshot write, committed in order with the appends around it.
    func saveSnapshot(_ snapshot: Snapshot, completion: @escaping @Sendable (Result<Void, StorageError>) -> Void)

    /// Whether the writer can reach its database now (`/healthz`).
    var isHealthy: Bool { get }

    /// Refuses new requests, commits what is queued and stops; returns when stopped.
    func close()
}

extension GroupCommitWriter: OpLogWriter {
    /// An embedded database is always reachable; its failures surface on the requests.
    public var isHealthy: Bool { true }
}
