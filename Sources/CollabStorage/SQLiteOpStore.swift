/// The op log in SQLite (schema: Migrations/0001_initial.sql).
///
/// Bound to one connection, so to one thread at a time. The server writes through a
/// `GroupCommitWriter`, which owns the write connection; readers (HTTP history, the CLI)
/// open their own read-only stores, which WAL lets read while the writer writes.
public final class SQLiteOpStore: OpStore {
    /// The connection.
    public let database: Database

    /// A store on an open connection (no migration, no pragmas).
    public init(database: Database) {
        self.database = database
    }

    /// Opens the database for writing: creates it if needed, sets WAL and `synchronous=FULL`
    /// (an acknowledged commit is on disk), and applies pending embedded migrations.
    public static func openForWriting(path: String, migrator: Migrator = .embedded)
        throws(StorageError) -> SQLiteOpStore {
        let database: Database
        do throws(SQLiteError) {
            database = try Database(path: path, mode: .readWriteCreate)
            let mode = try database.scalarText("PRAGMA journal_mode=WAL")
            guard mode?.lowercased() == "wal" || path == ":memory:" || path.isEmpty else {
                throw SQLiteError(extendedCode: .error, message: "cannot use WAL mode (journal_mode is \(mode ?? "?"))")
            }
            try database.execute("PRAGMA synchronous=FULL")
            // The statement journal of the per-request savepoints (GroupCommitWriter) in memory,
            // not a temporary file created, written and deleted in every group commit.
            try database.execute("PRAGMA temp_store=MEMORY")
        } catch {
            throw .sqlite(error)
        }
        do {
            try migrator.migrate(database)
        } catch {
            throw .migration(error)
        }
        return SQLiteOpStore(database: database)
    }

    /// Opens an existing database read-only; refuses a schema newer or older than this binary's.
    public static func openForReading(path: String, migrator: Migrator = .embedded)
        throws(StorageError) -> SQLiteOpStore {
        let database: Database
        let pending: [Migration]
        do {
            database = try Database(path: path, mode: .readOnly)
        } catch {
            throw .sqlite(error)
        }
        do {
            pending = try migrator.pendingMigrations(in: database)
        } catch {
            throw .migration(error)
        }
        if let first = pending.first {
            throw .schemaOutdated(databaseVersion: first.version - 1, knownVersion: migrator.knownVersion)
        }
        return SQLiteOpStore(database: database)
    }

    // MARK: - Writing

    /// See `OpStore.append`; runs in its own IMMEDIATE transaction.
    public func append(_ records: [OpRecord]) throws(StorageError) {
        try inWriteTransaction { () throws(StorageError) in
            var batch = OpLogBatch()
            try insert(records, into: &batch)
            try flush(batch)
        }
    }

    /// See `OpStore.saveSnapshot`.
    public func saveSnapshot(_ snapshot: Snapshot) throws(StorageError) {
        try inWriteTransaction { () throws(StorageError) in try insert(snapshot) }
    }

    func inWriteTransaction(_ body: () throws(StorageError) -> Void) throws(StorageError) {
        try sqlite { () throws(SQLiteError) in try database.begin(.immediate) }
        do {
            try body()
            try sqlite { () throws(SQLiteError) in try database.commit() }
        } catch {
            try? database.rollback()
            throw error
        }
    }

    /// Inserts `records` inside the caller's transaction, tracking each document's new state in
    /// `batch`; `flush(batch)` then writes the `documents` rows once per document.
    ///
    /// Checks versions before writing anything, so a `.versionConflict` leaves no trace; a
    /// `.duplicate` on the first record leaves none either (its `clients` row is checked first),
    /// while one on a later record needs the caller's savepoint or transaction to be rolled back.
    /// `batch` is updated only when every record went in.
    func insert(_ records: [OpRecord], into batch: inout OpLogBatch) throws(StorageError) {
        var touched: [String: OpLogBatch.Document] = [:]
        for record in records {
            var document: OpLogBatch.Document
            if let known = touched[record.doc] ?? batch.documents[record.doc] {
                document = known
            } else {
                let version = try sqlite { () throws(SQLiteError) in try storedVersion(doc: record.doc) }
                document = OpLogBatch.Document(version: version ?? 0, createdAt: record.ts)
            }
            guard record.version == document.version else {
                throw .versionConflict(doc: record.doc, expected: document.version, found: record.version)
            }
            document.version += 1
            document.length = record.length
            document.updatedAt = record.ts
            touched[record.doc] = document
        }
        for record in records {
            try recordSeq(record)
            try insertOp(record)
        }
        // Distinct authors: each (doc, user) is looked up once per transaction.
        for record in records {
            guard var document = touched[record.doc], !document.authorsSeen.contains(record.user) else { continue }
            document.authorsSeen.insert(record.user)
            document.newAuthors += try sqlite { () throws(SQLiteError) in
                let statement = try database.cachedStatement(
                    "INSERT OR IGNORE INTO document_authors (doc, user, first_version) VALUES (?, ?, ?)")
                try statement.bind([record.doc, record.user, record.version])
                try statement.run()
                return database.changes
            }
            touched[record.doc] = document
        }
        // Everything went in: only now does the batch learn of it.
        for record in records {
            guard let document = touched.removeValue(forKey: record.doc) else { continue }
            if batch.documents.updateValue(document, forKey: record.doc) == nil {
                batch.order.append(record.doc)
            }
        }
    }

    /// Writes the `documents` row of every document `batch` touched.
    func flush(_ batch: OpLogBatch) throws(StorageError) {
        for doc in batch.order {
            guard let document = batch.documents[doc] else { continue }
            try sqlite { () throws(SQLiteError) in
                let statement = try database.cachedStatement("""
                    INSERT INTO documents (id, version, length, author_count, created_at, updated_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, length = excluded.length,
                        author_count = author_count + excluded.author_count, updated_at = excluded.updated_at
                    """)
                try statement.bind([doc, document.version, document.length, document.newAuthors,
                                    document.createdAt, document.updatedAt])
                try statement.run()
            }
        }
    }

    /// Advances the client's row to `record.seq` (creating it on its first op); a seq not above
    /// the stored highest is a resubmission: `.duplicate`, nothing written.
    private func recordSeq(_ record: OpRecord) throws(StorageError) {
        let advanced = try sqlite { () throws(SQLiteError) -> Bool in
            let statement = try database.cachedStatement("""
                INSERT INTO clients (doc, client_id, user, first_version, highest_seq, highest_version)
                VALUES (?1, ?2, ?3, ?4, ?5, ?4)
                ON CONFLICT (doc, client_id) DO UPDATE
                    SET highest_seq = excluded.highest_seq, highest_version = excluded.highest_version
                    WHERE excluded.highest_seq > clients.highest_seq
                """)
            try statement.bind([record.doc, record.clientId, record.user, record.version, record.seq])
            try statement.run()
            return database.changes > 0
        }
        guard advanced else {
            throw .duplicate(doc: record.doc, clientId: record.clientId, seq: record.seq)
        }
    }

    private func insertOp(_ record: OpRecord) throws(StorageError) {
        do {
            let statement = try database.cachedStatement("""
                INSERT INTO ops (doc, version, client_id, seq, user, ts, length, op, deleted)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try statement.bind([record.doc, record.version, record.clientId, record.seq, record.user,
                                record.ts, record.length, record.opJSON, record.deletedJSON])
            try statement.run()
        } catch {
            switch error.extendedCode {
            case .constraintPrimaryKey:
                let stored = (try? storedVersion(doc: record.doc)) ?? nil
                throw .versionConflict(doc: record.doc, expected: stored ?? 0, found: record.version)
            default:
                throw .sqlite(error)
            }
        }
    }

    /// Inserts a snapshot inside the caller's transaction; keeps an existing one at that version.
    func insert(_ snapshot: Snapshot) throws(StorageError) {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("""
                INSERT INTO snapshots (doc, version, text, length, checksum, created_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (doc, version) DO NOTHING
                """)
            try statement.bind([snapshot.doc, snapshot.version, snapshot.text,
                                snapshot.text.unicodeScalars.count, snapshot.checksum, snapshot.createdAt])
            try statement.run()
        }
    }

    private func storedVersion(doc: String) throws(SQLiteError) -> Int? {
        let statement = try database.cachedStatement("SELECT version FROM documents WHERE id = ?")
        try statement.bind(doc, at: 1)
        defer { statement.reset() }
        return try statement.step()?.int(0)
    }

    // MARK: - Reading

    private static let opColumns = "doc, version, client_id, seq, user, ts, length, op, deleted"

    private static func opRecord(_ row: Row) -> OpRecord {
        OpRecord(doc: row.string(0), version: row.int(1), clientId: row.string(2), seq: row.int(3),
                 user: row.string(4), ts: row.int64(5), length: row.int(6), opJSON: row.string(7),
                 deletedJSON: row.string(8))
    }

    /// See `OpStore.ops(doc:from:limit:)`.
    public func ops(doc: String, from version: Int, limit: Int) throws(StorageError) -> [OpRecord] {
        try history(doc: doc, from: version, limit: limit)
    }

    /// Up to `limit` ops of `doc` in version order from version `from`, optionally only those
    /// by `user` and those committed at or after `since` (ms) — for `collab history`.
    public func history(doc: String, from version: Int = 0, limit: Int,
                        user: String? = nil, since: Int64? = nil) throws(StorageError) -> [OpRecord] {
        guard limit > 0 else { return [] }
        var sql = "SELECT \(Self.opColumns) FROM ops WHERE doc = ? AND version >= ?"
        var arguments: [any SQLBindable] = [doc, version]
        if let user {
            sql += " AND user = ?"
            arguments.append(user)
        }
        if let since {
            sql += " AND ts >= ?"
            arguments.append(since)
        }
        sql += " ORDER BY version LIMIT ?"
        arguments.append(limit)
        return try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement(sql)
            try statement.bind(arguments)
            var records: [OpRecord] = []
            try statement.forEachRow { row in records.append(Self.opRecord(row)) }
            return records
        }
    }

    /// See `OpStore.op(doc:clientId:seq:)`.
    ///
    /// A client's seqs grow with the versions it stored at, so the op is the client's latest
    /// at or below `seq`, if that one has exactly `seq`: a walk back from its highest version
    /// over the primary key, bounded by its first version.
    public func op(doc: String, clientId: String, seq: Int) throws(StorageError) -> OpRecord? {
        guard let client = try client(doc: doc, clientId: clientId), seq <= client.highestSeq else { return nil }
        return try sqlite { () throws(SQLiteError) -> OpRecord? in
            let statement = try database.cachedStatement("""
                SELECT \(Self.opColumns) FROM ops
                WHERE doc = ? AND version BETWEEN ? AND ? AND client_id = ? AND seq <= ?
                ORDER BY version DESC LIMIT 1
                """)
            try statement.bind([doc, client.firstVersion, client.highestVersion, clientId, seq])
            defer { statement.reset() }
            guard let record = try statement.step().map(Self.opRecord), record.seq == seq else { return nil }
            return record
        }
    }

    /// See `OpStore.client(doc:clientId:)`.
    public func client(doc: String, clientId: String) throws(StorageError) -> ClientRecord? {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("""
                SELECT user, first_version, highest_seq, highest_version FROM clients
                WHERE doc = ? AND client_id = ?
                """)
            try statement.bind([doc, clientId])
            defer { statement.reset() }
            return try statement.step().map { row in
                ClientRecord(clientId: clientId, user: row.string(0), firstVersion: row.int(1),
                             highestSeq: row.int(2), highestVersion: row.int(3))
            }
        }
    }

    /// The `clients` rows of `doc`, in client id order (for `collab verify`).
    public func clients(doc: String) throws(StorageError) -> [ClientRecord] {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("""
                SELECT client_id, user, first_version, highest_seq, highest_version FROM clients
                WHERE doc = ? ORDER BY client_id
                """)
            try statement.bind(doc, at: 1)
            var clients: [ClientRecord] = []
            try statement.forEachRow { row in
                clients.append(ClientRecord(clientId: row.string(0), user: row.string(1), firstVersion: row.int(2),
                                            highestSeq: row.int(3), highestVersion: row.int(4)))
            }
            return clients
        }
    }

    /// See `OpStore.latestSnapshot(doc:atOrBefore:)`.
    public func latestSnapshot(doc: String, atOrBefore version: Int?) throws(StorageError) -> Snapshot? {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("""
                SELECT version, text, checksum, created_at FROM snapshots
                WHERE doc = ? AND version <= ? ORDER BY version DESC LIMIT 1
                """)
            try statement.bind([doc, version ?? Int.max])
            defer { statement.reset() }
            return try statement.step().map { row in
                Snapshot(doc: doc, version: row.int(0), text: row.string(1), checksum: row.string(2),
                         createdAt: row.int64(3))
            }
        }
    }

    /// The versions of the document's snapshots, ascending (for `collab verify`).
    public func snapshotVersions(doc: String) throws(StorageError) -> [Int] {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement(
                "SELECT version FROM snapshots WHERE doc = ? ORDER BY version")
            try statement.bind(doc, at: 1)
            var versions: [Int] = []
            try statement.forEachRow { row in versions.append(row.int(0)) }
            return versions
        }
    }

    private static let documentColumns = "id, version, length, author_count, created_at, updated_at"

    private static func documentInfo(_ row: Row) -> DocumentInfo {
        DocumentInfo(id: row.string(0), version: row.int(1), length: row.int(2), authorCount: row.int(3),
                     createdAt: row.int64(4), updatedAt: row.int64(5))
    }

    /// See `OpStore.documentInfo(doc:)`.
    public func documentInfo(doc: String) throws(StorageError) -> DocumentInfo? {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement(
                "SELECT \(Self.documentColumns) FROM documents WHERE id = ?")
            try statement.bind(doc, at: 1)
            defer { statement.reset() }
            return try statement.step().map(Self.documentInfo)
        }
    }

    /// See `OpStore.listDocuments()`.
    public func listDocuments() throws(StorageError) -> [DocumentInfo] {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement(
                "SELECT \(Self.documentColumns) FROM documents ORDER BY id")
            var documents: [DocumentInfo] = []
            try statement.forEachRow { row in documents.append(Self.documentInfo(row)) }
            return documents
        }
    }

    /// See `OpStore.currentVersion(doc:)`.
    public func currentVersion(doc: String) throws(StorageError) -> Int {
        try sqlite { () throws(SQLiteError) in try storedVersion(doc: doc) ?? 0 }
    }

    /// See `OpStore.version(doc:atOrBefore:)`. Uses commit times, which follow the server's clock.
    ///
    /// A binary search over the document's versions by `ts` (point lookups on the primary key;
    /// no time index is kept on the write path, see migration 0002). It assumes commit times
    /// do not decrease along a document's versions, which holds while the server's wall clock
    /// does not step back; if it did, the answer is still a version whose op has `ts` at or
    /// before the given time, just not necessarily the last such one.
    public func version(doc: String, atOrBefore ts: Int64) throws(StorageError) -> Int {
        try sqlite { () throws(SQLiteError) in
            let bounds = try database.cachedStatement(
                "SELECT version FROM ops WHERE doc = ? ORDER BY version ASC LIMIT 1")
            try bounds.bind([doc])
            let first = try bounds.step()?.int(0)
            bounds.reset()
            let last = try database.cachedStatement(
                "SELECT version FROM ops WHERE doc = ? ORDER BY version DESC LIMIT 1")
            try last.bind([doc])
            let end = try last.step().map { $0.int(0) + 1 }
            last.reset()
            guard let first, let end else { return 0 }
            let probe = try database.cachedStatement("SELECT ts FROM ops WHERE doc = ? AND version = ?")
            func committed(_ version: Int) throws(SQLiteError) -> Int64? {
                try probe.bind([doc, version])
                defer { probe.reset() }
                return try probe.step()?.int64(0)
            }
            // The first version in [first, end) whose op was committed after `ts`.
            var low = first
            var high = end
            while low < high {
                let middle = low + (high - low) / 2
                // A missing row (a gap) counts as "after", which keeps the search on stored rows.
                if let committedAt = try committed(middle), committedAt <= ts {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            // Nothing at or before `ts` in the stored range: as before, the document's start.
            return low == first ? 0 : low
        }
    }

    // MARK: -

    func sqlite<T>(_ body: () throws(SQLiteError) -> T) throws(StorageError) -> T {
        do {
            return try body()
        } catch {
            throw .sqlite(error)
        }
    }
}

@available(*, unavailable)
extension SQLiteOpStore: Sendable {}
