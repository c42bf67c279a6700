import CollabPostgresStorage
import CollabStorage
import CollabTransport
import Foundation

/// One room's view of the op log: synchronous reads on its loop's read connection (SQLite's
/// read-only one, or the loop's PostgreSQL session), appends and snapshots through the
/// node's group-commit writer.
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
            loaded = try reading { () throws(StorageError) in try Self.load(documentId, from: reader) }
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

    func ops(of documentId: String, from version: Int, limit: Int) throws(RoomStoreError) -> [OpRecord] {
        try reading { () throws(StorageError) in try Self.records(reader.ops(doc: documentId, from: version, limit: limit)) }
    }

    func client(_ clientId: String, of documentId: String) throws(RoomStoreError) -> StoredClient? {
        try reading { () throws(StorageError) -> StoredClient? in
            guard let stored = try reader.client(doc: documentId, clientId: clientId) else { return nil }
            return StoredClient(sub: stored.user, highestSeq: stored.highestSeq, highestSeqVersion: stored.highestVersion)
        }
    }

    func version(ofSeq seq: Int, clientId: String, of documentId: String) throws(RoomStoreError) -> Int? {
        try reading { () throws(StorageError) in try reader.op(doc: documentId, clientId: clientId, seq: seq)?.version }
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

    func storedVersion(of documentId: String) throws(RoomStoreError) -> Int {
        try reading { () throws(StorageError) in try reader.currentVersion(doc: documentId) }
    }

    func catchUp(_ documentId: String, from version: Int) throws(RoomStoreError) -> [OpRecord] {
        try reading { () throws(StorageError) in
            let rows = try reader.ops(doc: documentId, from: version, limit: Int(Int32.max))
            let records = try Self.records(rows)
            tookIn(documentId, lengthAfter: rows.last?.length ?? documentLength)
            return records
        }
    }

    func claimJoin(_ clientId: String, of documentId: String) throws(RoomStoreError) -> Int? {
        guard let shared = reader as? ReconnectingPostgresOpStore else { return nil }
        return try reading { () throws(StorageError) in
            try shared.withStore { store throws(StorageError) in try store.claimJoin(doc: documentId, clientId: clientId) }
        }
    }

    func catchUp(_ documentId: String, from version: Int,
                 completion: @escaping (Result<[OpRecord], RoomStoreError>) -> Void) {
        guard let background else {
            completion(Result { () throws(RoomStoreError) in try catchUp(documentId, from: version) })
            return
        }
        let bound = LoopBound(completion, eventLoop: loop)
        let finish = LoopBound({ [weak self] (result: Result<[CollabStorage.OpRecord], StorageError>) in
            guard let self else { return }
            do throws(StorageError) {
                let rows = try result.get()
                let records = try Self.records(rows)
                self.tookIn(documentId, lengthAfter: rows.last?.length ?? self.documentLength)
                bound.value(.success(records))
            } catch {
                bound.value(.failure(RoomStoreError("\(error)")))
            }
        }, eventLoop: loop)
        let loop = self.loop
        background.ops(of: documentId, from: version) { result in
            loop.execute { finish.value(result) }
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

    private func reading<T>(_ body: () throws(StorageError) -> T) throws(RoomStoreError) -> T {
        do {
            return try body()
        } catch {
            throw RoomStoreError("\(error)")
        }
    }
}

@available(*, unavailable)
extension RoomStorage: Sendable {}
