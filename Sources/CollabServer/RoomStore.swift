/// The op log and snapshots as a room needs them (narrow, like ShareDB's db adapter).
///
/// Reads are synchronous and run on the room's loop: they are indexed lookups of a
/// few rows on a WAL-mode read connection (microseconds), and happen only on joins,
/// old catch-ups, resubmissions of old seqs and first sight of a client id — never on
/// the keystroke path. Appends are asynchronous: the writer thread gathers appends into
/// one transaction (group commit) and fsyncs.
public protocol RoomStore: AnyObject {
    /// The latest snapshot of `documentId` and every op after it (`.empty` if none).
    func loadDocument(_ documentId: String) throws(RoomStoreError) -> StoredDocument

    /// Up to `limit` ops of `documentId` from version `from` on, in order. Fewer (or
    /// none) if history ends or was pruned; the room checks versions.
    func ops(of documentId: String, from version: Int, limit: Int) throws(RoomStoreError) -> [OpRecord]

    /// What is stored for `clientId` on `documentId`, nil if it stored no op.
    func client(_ clientId: String, of documentId: String) throws(RoomStoreError) -> StoredClient?

    /// The version of the op stored for (`clientId`, `seq`) on `documentId`, nil if none.
    func version(ofSeq seq: Int, clientId: String, of documentId: String) throws(RoomStoreError) -> Int?

    /// Stores `records` (consecutive versions) durably, all or nothing, then calls
    /// `completion` exactly once ON THE ROOM'S LOOP (a writer on another thread hops
    /// back, e.g. with the closure in a `LoopBound`). A room may have several appends
    /// outstanding: they must complete in the order they were made, and once one fails
    /// every later one of the document must fail too (versions follow on without a gap).
    func append(_ records: [OpRecord], to documentId: String,
                completion: @escaping (Result<Void, RoomStoreError>) -> Void)

    /// The version the store holds for `documentId` (0 if none): a cheap read, polled to notice
    /// another writer's ops.
    func storedVersion(of documentId: String) throws(RoomStoreError) -> Int

    /// Every op stored for `documentId` from `version` on — after an append failed with a
    /// version conflict, the ops another writer stored — and the store's bookkeeping reset to
    /// them, so the next append (transformed over them) starts a new chain.
    func catchUp(_ documentId: String, from version: Int) throws(RoomStoreError) -> [OpRecord]

    /// `catchUp(_:from:)` with its answer later, on the room's loop: a store a round trip away
    /// reads off the loop (see the extension's default: at once).
    func catchUp(_ documentId: String, from version: Int,
                 completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void)

    /// The room took in ops another writer stored (from a commit notice, not read through the
    /// store): the document's length after them is `lengthAfter`, and the next append starts a
    /// new chain. (Default: nothing to note.)
    func tookIn(_ documentId: String, lengthAfter: Int)

    /// The next join generation of `clientId` on a database shared by several nodes (see the
    /// extension's default: nil on one node).
    func claimJoin(_ clientId: String, of documentId: String) throws(RoomStoreError) -> Int?

    /// Stores a snapshot of `documentId` at `version` (durable `text`). Fire and forget:
    /// snapshots only speed up loading, so a failure is the store's to log.
    func saveSnapshot(of documentId: String, version: Int, text: String)
}

extension RoomStore {
    func tookIn(_ documentId: String, lengthAfter: Int) {}

    /// Reads at once and answers before returning.
    func catchUp(_ documentId: String, from version: Int,
                 completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void) {
        do {
            completion(.success(try catchUp(documentId, from: version)))
        } catch {
            completion(.failure(error))
        }
    }

    /// Takes the next join generation of `clientId` on a database shared by several nodes, to
    /// order replacements across them (see `RoomStorage`); nil where one node holds the
    /// database (replacement is then the room's own business).
    func claimJoin(_ clientId: String, of documentId: String) throws(RoomStoreError) -> Int? { nil }
}
