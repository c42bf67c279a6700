import CollabPostgresStorage
import CollabStorage
import CollabTransport
import Foundation

/// One room's view of the op log: reads on its loop's SQLite read connection (at once) or its
/// loop's PostgreSQL session (off the loop), appends and snapshots through the node's
/// group-commit writer.
///
/// Converts between the room's records (JSON encoded once) and the op log's rows, which
/// also carry the document's length after each op; that length is tracked here from the
/// loaded state, which is sound because a room makes its appends in version order (they
/// may be outstanding together: the writer commits and completes them FIFO, and its
/// completions hop to the loop with `execute`, also FIFO) and a failed room is dropped
/// and loaded afresh.
final class RoomStorage: RoomStore {
    let reader: any OpStore
    let writer: any OpLogWriter
    let loop: EventLoop
    let log: @Sendable (String) -> Void
    /// Off-loop reads on a shared database (catch-ups), if any.
    let background: BackgroundStoreSession?
    /// The document's length in scalars after the last op handed to `append`.
    private var documentLength = 0
    /// The next append starts a new chain at the writer (after loading or catching up).
    private var startsChain = true

    init(reader: any OpStore, writer: any OpLogWriter, loop: EventLoop, log: @escaping @Sendable (String) -> Void,
         background: BackgroundStoreSession? = nil) {
        self.reader = reader
        self.writer = writer
        self.loop = loop
        self.log = log
        self.background = background
    }

    /// What a load off the loop already read (`LoopRooms.loadRoom`): the next `loadDocument`
    /// takes it instead of reading.
    var preloaded: LoadedDocument?

    func loadDocument(_ documentId: String) throws(RoomStoreError) -> StoredDocument {
        let loaded: LoadedDocument
        if let preloaded {
            loaded = preloaded
            self.preloaded = nil
        } else {
            do {
                loaded = try Self.load(documentId, from: reader)
            } catch {
                throw RoomStoreError("\(error)")
            }
        }
        documentLength = loaded.length
        return loaded.document
    }

    /// A document as a room loads it, and its length after the last op.
    struct LoadedDocument: Sendable {
        var document: StoredDocument
        var length: Int
    }

    /// The latest intact snapshot of `documentId` in `store` and every op after it.
    static func load(_ documentId: String, from store: any OpStore) throws(StorageError) -> LoadedDocument {
        var snapshot = try store.latestSnapshot(doc: documentId, atOrBefore: nil)
        // A damaged snapshot is passed over for an earlier one (or a replay from 0).
        while let candidate = snapshot, !candidate.isIntact {
            snapshot = candidate.version > 0
                ? try store.latestSnapshot(doc: documentId, atOrBefore: candidate.version - 1) : nil
        }
        let start = snapshot?.version ?? 0
        let rows = try store.ops(doc: documentId, from: start, limit: Int(Int32.max))
        let records = try Self.records(rows)
        return LoadedDocument(
            document: StoredDocument(snapshotVersion: start, snapshotText: snapshot?.text ?? "", ops: records),
            length: rows.last?.length ?? snapshot?.text.unicodeScalars.count ?? 0)
    }

    func joinState(of clientId: String, in documentId: String,
                   completion: @escaping (Result<StoredJoinState, RoomStoreError>) -> Void) {
        read(completion) { store throws(StorageError) in
            let head = try store.currentVersion(doc: documentId)
            let client = try store.client(doc: documentId, clientId: clientId).map {
                StoredClient(sub: $0.user, highestSeq: $0.highestSeq, highestSeqVersion: $0.highestVersion)
            }
            // Replacements across nodes are ordered by a generation kept in the shared database.
            let generation = try (store as? PostgresOpStore)?.claimJoin(doc: documentId, clientId: clientId)
            return StoredJoinState(storedVersion: head, client: client, generation: generation)
        }
    }

    func ops(of documentId: String, from version: Int, limit: Int,
             completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void) {
        read(completion) { store throws(StorageError) in
            try Self.records(store.ops(doc: documentId, from: version, limit: limit))
        }
    }

    func version(ofSeq seq: Int, clientId: String, of documentId: String,
                 completion: @escaping (Result<Int?, RoomStoreError>) -> Void) {
        read(completion) { store throws(StorageError) in
            try store.op(doc: documentId, clientId: clientId, seq: seq)?.version
        }
    }

    func append(_ records: [OpRecord], to documentId: String,
                completion: @escaping (Result<Void, RoomStoreError>) -> Void) {
        var rows: [CollabStorage.OpRecord] = []
        rows.reserveCapacity(records.count)
        for record in records {
            documentLength += record.operation.lengthChange
            rows.append(CollabStorage.OpRecord(
                doc: documentId, version: record.version, clientId: record.clientId, seq: record.seq,
                user: record.user, ts: record.timestamp, length: documentLength,
                opJSON: String(decoding: record.operationJSON, as: UTF8.self),
                deletedJSON: String(decoding: record.deletedTextsJSON, as: UTF8.self)))
        }
        // The writer completes on its thread; the room must hear it on its own loop.
        let bound = LoopBound(completion, eventLoop: loop)
        let loop = self.loop
        let resync = startsChain
        startsChain = false
        writer.append(rows, resync: resync) { result in
            let mapped = result.mapError { error in
                if case .versionConflict = error { return RoomStoreError("append failed: \(error)", isVersionConflict: true) }
                return RoomStoreError("append failed: \(error)")
            }
            loop.execute { bound.value(mapped) }
        }
    }

    func storedVersion(of documentId: String, completion: @escaping (Result<Int, RoomStoreError>) -> Void) {
        read(completion) { store throws(StorageError) in try store.currentVersion(doc: documentId) }
    }

    func catchUp(_ documentId: String, from version: Int,
                 completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void) {
        read({ [weak self] (result: Result<([OpRecord], Int?), RoomStoreError>) in
            guard let self else { return }
            completion(result.map { records, lengthAfter in
                self.tookIn(documentId, lengthAfter: lengthAfter ?? self.documentLength)
                return records
            })
        }) { store throws(StorageError) in
            let rows = try store.ops(doc: documentId, from: version, limit: Int(Int32.max))
            return (try Self.records(rows), rows.last?.length)
        }
    }

    func tookIn(_ documentId: String, lengthAfter: Int) {
        documentLength = lengthAfter
        startsChain = true
    }

    func saveSnapshot(of documentId: String, version: Int, text: String) {
        let snapshot = Snapshot(doc: documentId, version: version, text: text,
                                createdAt: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
        let log = self.log
        writer.saveSnapshot(snapshot) { result in
            if case .failure(let error) = result {
                log("snapshot of \(documentId) at version \(version) failed: \(error)")
            }
        }
    }

    /// Room records from op-log rows; a row that does not decode is corruption.
    static func records(_ rows: [CollabStorage.OpRecord]) throws(StorageError) -> [OpRecord] {
        var records: [OpRecord] = []
        records.reserveCapacity(rows.count)
        for row in rows {
            guard let record = OpRecord(version: row.version, operationJSON: Array(row.opJSON.utf8),
                                        deletedTextsJSON: Array(row.deletedJSON.utf8), clientId: row.clientId,
                                        seq: row.seq, user: row.user, timestamp: row.ts) else {
                throw .sqlite(SQLiteError(extendedCode: .corrupt,
                                          message: "op \(row.version) of \(row.doc) does not decode"))
            }
            records.append(record)
        }
        return records
    }

    /// Runs `body` with the store and answers on the loop: off the loop on the loop's
    /// PostgreSQL session (a round trip away), else at once on the loop's SQLite read
    /// connection (microseconds).
    private func read<T: Sendable>(_ completion: @escaping (Result<T, RoomStoreError>) -> Void,
                         _ body: @escaping @Sendable (any OpStore) throws(StorageError) -> T) {
        guard let background else {
            do throws(StorageError) {
                completion(.success(try body(reader)))
            } catch {
                completion(.failure(RoomStoreError("\(error)")))
            }
            return
        }
        let bound = LoopBound(completion, eventLoop: loop)
        let loop = self.loop
        background.run(body) { result in
            loop.execute { bound.value(result.mapError { RoomStoreError("\($0)") }) }
        }
    }
}

@available(*, unavailable)
extension RoomStorage: Sendable {}
