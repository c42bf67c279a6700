@testable import CollabServer

/// An in-memory store whose appends become durable only when the test says so.
final class FakeStore: RoomStore {
    struct PendingAppend {
        var records: [OpRecord]
        var completion: (Result<Void, RoomStoreError>) -> Void
    }

    /// Durable ops per document (version order).
    var ops: [String: [OpRecord]] = [:]
    /// Snapshots per document: (version, text).
    var snapshots: [String: [(version: Int, text: String)]] = [:]
    /// Appends not yet completed, oldest first.
    var pending: [PendingAppend] = []
    /// Versions below this are "pruned": `ops(of:from:limit:)` will not return them.
    var prunedBelow = 0
    /// Complete appends at once (inside `append`).
    var commitsImmediately = false
    var readCount = 0
    /// Most appends pending at once so far (a pipelining room has several).
    var largestPendingCount = 0

    func loadDocument(_ documentId: String) throws(RoomStoreError) -> StoredDocument {
        let log = ops[documentId] ?? []
        if let snapshot = snapshots[documentId]?.last {
            return StoredDocument(snapshotVersion: snapshot.version, snapshotText: snapshot.text,
                                  ops: Array(log[snapshot.version...]))
        }
        return StoredDocument(snapshotVersion: 0, snapshotText: "", ops: log)
    }

    /// Reads answer only when the test calls `answerReads()` (a store a round trip away);
    /// otherwise at once, as SQLite's read connection does.
    var defersReads = false
    /// Reads waiting for `answerReads()`, oldest first.
    private var deferredReads: [() -> Void] = []
    /// Fails every read (a store that cannot be reached).
    var readsFail = false
    /// Join generations taken so far, as a shared database would (nil: one node).
    var joinGenerations: [String: Int]?

    private func read<T>(_ completion: @escaping (Result<T, RoomStoreError>) -> Void, _ body: @escaping () -> T) {
        let answer = { [weak self] in
            guard let self else { return }
            completion(self.readsFail ? .failure(RoomStoreError("connection refused")) : .success(body()))
        }
        if defersReads { deferredReads.append(answer) } else { answer() }
    }

    /// Answers the deferred reads (and those they start), in order.
    func answerReads() {
        while !deferredReads.isEmpty { deferredReads.removeFirst()() }
    }

    var deferredReadCount: Int { deferredReads.count }

    func storedOps(of documentId: String, from version: Int, limit: Int) -> [OpRecord] {
        readCount += 1
        let log = ops[documentId] ?? []
        let start = max(version, prunedBelow)
        guard start < log.count else { return [] }
        return Array(log[start..<min(log.count, start + limit)])
    }

    func joinState(of clientId: String, in documentId: String,
                   completion: @escaping (Result<StoredJoinState, RoomStoreError>) -> Void) {
        read(completion) { [self] in
            readCount += 1
            let log = ops[documentId] ?? []
            let client = log.last(where: { $0.clientId == clientId }).map { last in
                let highest = log.filter { $0.clientId == clientId }.max { $0.seq < $1.seq } ?? last
                return StoredClient(sub: last.user, highestSeq: highest.seq, highestSeqVersion: highest.version)
            }
            var generation: Int?
            if joinGenerations != nil {
                generation = (joinGenerations?[clientId] ?? 0) + 1
                joinGenerations?[clientId] = generation
            }
            return StoredJoinState(storedVersion: log.count, client: client, generation: generation)
        }
    }

    func ops(of documentId: String, from version: Int, limit: Int,
             completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void) {
        read(completion) { [self] in storedOps(of: documentId, from: version, limit: limit) }
    }

    func version(ofSeq seq: Int, clientId: String, of documentId: String,
                 completion: @escaping (Result<Int?, RoomStoreError>) -> Void) {
        read(completion) { [self] in
            readCount += 1
            return (ops[documentId] ?? []).first { $0.clientId == clientId && $0.seq == seq }?.version
        }
    }

    func append(_ records: [OpRecord], to documentId: String,
                completion: @escaping (Result<Void, RoomStoreError>) -> Void) {
        pending.append(PendingAppend(records: records, completion: completion))
        largestPendingCount = max(largestPendingCount, pending.count)
        if commitsImmediately { commitAll() }
    }

    func storedVersion(of documentId: String, completion: @escaping (Result<Int, RoomStoreError>) -> Void) {
        read(completion) { [self] in (ops[documentId] ?? []).count }
    }

    func catchUp(_ documentId: String, from version: Int,
                 completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void) {
        read(completion) { [self] in storedOps(of: documentId, from: version, limit: Int.max / 2) }
    }

    func saveSnapshot(of documentId: String, version: Int, text: String) {
        snapshots[documentId, default: []].append((version, text))
    }

    /// Makes the oldest pending append durable and completes it. Like the SQLite store,
    /// refuses an append whose first version does not follow the log (after a failed one).
    func commitNext(document: String = "doc") {
        guard !pending.isEmpty else { return }
        let append = pending.removeFirst()
        var log = ops[document] ?? []
        guard let first = append.records.first?.version, first == log.count else {
            // Below the log's end: another writer took those versions first (a conflict the
            // room catches up from); above it: an append after a failed one.
            let conflict = (append.records.first?.version ?? 0) < log.count
            append.completion(.failure(RoomStoreError("version conflict: expected \(log.count)",
                                                      isVersionConflict: conflict)))
            return
        }
        log.append(contentsOf: append.records)
        ops[document] = log
        append.completion(.success(()))
    }

    /// Commits the oldest `count` pending appends (as one group commit would), in order.
    func commit(count: Int, document: String = "doc") {
        for _ in 0..<min(count, pending.count) { commitNext(document: document) }
    }

    /// Commits until nothing is pending (a completion may start the next append).
    func commitAll(document: String = "doc") {
        while !pending.isEmpty { commitNext(document: document) }
    }

    /// Fails the oldest pending append.
    func failNext() {
        guard !pending.isEmpty else { return }
        pending.removeFirst().completion(.failure(RoomStoreError("disk full")))
    }

    /// Fails the pending append at `index` ahead of the older ones (a writer refusing work
    /// after `close()` completes at once, so its failure can overtake earlier completions).
    func failOutOfOrder(at index: Int) {
        guard pending.indices.contains(index) else { return }
        pending.remove(at: index).completion(.failure(RoomStoreError("closed")))
    }

    var pendingRecordCount: Int { pending.reduce(0) { $0 + $1.records.count } }
}
