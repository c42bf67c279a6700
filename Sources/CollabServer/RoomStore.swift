/// The op log and snapshots as a room needs them (narrow, like ShareDB's db adapter).
///
/// Every read answers through a completion ON THE ROOM'S LOOP, so a room never waits on
/// its store: SQLite's read connection answers in microseconds and may complete before
/// returning; PostgreSQL is a round trip away and answers later (the room holds the
/// message that asked meanwhile). Reads happen on joins, head polls, catch-ups, and for
/// resubmissions or transforms reaching past the room's window — never on the keystroke
/// path. Appends are asynchronous too: the writer gathers appends into one transaction
/// (group commit) and makes it durable.
public protocol RoomStore: AnyObject {
    /// The latest snapshot of `documentId` and every op after it (`.empty` if none). Called
    /// when the room is made: the server reads it off the loop beforehand where that matters.
    func loadDocument(_ documentId: String) throws(RoomStoreError) -> StoredDocument

    /// What a join of `clientId` needs: the stored version, the client id's row and its join
    /// generation.
    func joinState(of clientId: String, in documentId: String,
                   completion: @escaping (Result<StoredJoinState, RoomStoreError>) -> Void)

    /// Up to `limit` ops of `documentId` from version `from` on, in order. Fewer (or none)
    /// if history ends or was pruned; the room checks versions.
    func ops(of documentId: String, from version: Int, limit: Int,
             completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void)

    /// The version of the op stored for (`clientId`, `seq`) on `documentId`, nil if none.
    func version(ofSeq seq: Int, clientId: String, of documentId: String,
                 completion: @escaping (Result<Int?, RoomStoreError>) -> Void)

    /// Stores `records` (consecutive versions) durably, all or nothing, then calls
    /// `completion` exactly once on the room's loop (a writer on another thread hops back,
    /// e.g. with the closure in a `LoopBound`). A room may have several appends outstanding:
    /// they must complete in the order they were made, and once one fails every later one of
    /// the document must fail too (versions follow on without a gap).
    func append(_ records: [OpRecord], to documentId: String,
                completion: @escaping (Result<Void, RoomStoreError>) -> Void)

    /// The version the store holds for `documentId` (0 if none): a cheap read, polled to notice
    /// another writer's ops.
    func storedVersion(of documentId: String, completion: @escaping (Result<Int, RoomStoreError>) -> Void)

    /// Every op stored for `documentId` from `version` on — after an append failed with a
    /// version conflict, the ops another writer stored — and the store's bookkeeping reset to
    /// them, so the next append (transformed over them) starts a new chain.
    func catchUp(_ documentId: String, from version: Int,
                 completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void)

    /// The room took in ops another writer stored (from a commit notice, not read through the
    /// store): the document's length after them is `lengthAfter`, and the next append starts a
    /// new chain. (Default: nothing to note.)
    func tookIn(_ documentId: String, lengthAfter: Int)

    /// Stores a snapshot of `documentId` at `version` (durable `text`). Fire and forget:
    /// snapshots only speed up loading, so a failure is the store's to log.
    func saveSnapshot(of documentId: String, version: Int, text: String)
}

extension RoomStore {
    public func tookIn(_ documentId: String, lengthAfter: Int) {}
}
