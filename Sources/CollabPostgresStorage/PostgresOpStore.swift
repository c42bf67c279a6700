import CollabPostgres
import CollabStorage

/// The op log in PostgreSQL (schema: Migrations/postgres/0001_initial.sql), with the semantics
/// of `SQLiteOpStore`: the same `OpStore` test suite runs against both.
///
/// Bound to one blocking connection, so to one thread at a time. PostgreSQL decides the order
/// of versions across nodes: an append locks the `documents` rows of its documents (in id order,
/// so two appenders cannot deadlock) and the primary key (doc, version) refuses a version taken
/// meanwhile, which surfaces as `.versionConflict`.
public final class PostgresOpStore: OpStore {
    /// The connection.
    public let connection: PostgresConnection

    /// A store on an open, migrated connection.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Connects and applies pending migrations under the migrators' advisory lock.
    public static func open(_ configuration: PostgresConfiguration, migrator: PostgresMigrator = .embedded)
        throws(StorageError) -> PostgresOpStore {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(configuration)
        } catch {
            throw Self.storageError(error)
        }
        do {
            try migrator.migrate(connection)
        } catch {
            connection.close()
            throw Self.storageError(error)
        }
        return PostgresOpStore(connection: connection)
    }

    /// Connects without migrating, for readers such as `collab export`: refuses a schema older
    /// (`.schemaOutdated`) or newer (`.migration(.databaseNewer)`) than `migrator`'s, and makes
    /// the session's transactions read-only, so a reader cannot write by mistake.
    public static func openForReading(_ configuration: PostgresConfiguration, migrator: PostgresMigrator = .embedded)
        throws(StorageError) -> PostgresOpStore {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(configuration)
        } catch {
            throw Self.storageError(error)
        }
        let applied: [Int]
        do {
            applied = try migrator.appliedVersions(on: connection)
        } catch {
            connection.close()
            throw Self.storageError(error)
        }
        if let highest = applied.last, highest > migrator.knownVersion {
            connection.close()
            throw .migration(.databaseNewer(databaseVersion: highest, knownVersion: migrator.knownVersion))
        }
        let done = Set(applied)
        if migrator.migrations.contains(where: { !done.contains($0.version) }) {
            connection.close()
            throw .schemaOutdated(databaseVersion: applied.last ?? 0, knownVersion: migrator.knownVersion)
        }
        do {
            try connection.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        } catch {
            connection.close()
            throw Self.storageError(error)
        }
        return PostgresOpStore(connection: connection)
    }

    /// A migration failure as the storage error `SQLiteOpStore` reports for the same case.
    public static func storageError(_ error: PostgresMigrationError) -> StorageError {
        switch error {
        case .databaseNewer(let databaseVersion, let knownVersion):
            .migration(.databaseNewer(databaseVersion: databaseVersion, knownVersion: knownVersion))
        case .failed(_, let cause):
            .database(code: cause.sqlState?.code, message: error.description)
        case .unreadableVersion:
            .database(code: nil, message: error.description)
        }
    }

    /// Ends the session.
    public func close() {
        connection.close()
    }

    // MARK: - Writing

    /// See `OpStore.append`. One transaction, three round trips: lock and read the documents'
    /// versions, write everything in one pipeline, commit. Nothing is stored on any error.
    public func append(_ records: [OpRecord]) throws(StorageError) {
        do {
            try appendInTransaction(records)
        } catch .database(code: PostgresSQLState.uniqueViolation.code, let message) {
            // Another writer took a version of a document that had no row to lock (its first
            // ops); after the rollback, report the first document whose stored version moved.
            var firstOfDoc: [String: Int] = [:]
            for record in records where firstOfDoc[record.doc] == nil { firstOfDoc[record.doc] = record.version }
            for record in records where firstOfDoc[record.doc] == record.version {
                let stored = try currentVersion(doc: record.doc)
                if stored != record.version {
                    throw .versionConflict(doc: record.doc, expected: stored, found: record.version)
                }
            }
            throw .database(code: PostgresSQLState.uniqueViolation.code, message: message)
        }
    }

    private func appendInTransaction(_ records: [OpRecord]) throws(StorageError) {
        guard !records.isEmpty else { return }
        let docs = Array(Set(records.map(\.doc))).sorted()
        try inTransaction(docs.map { PostgresQuery("SELECT version FROM documents WHERE id = $1 FOR UPDATE", [$0]) }) {
            (locked) throws(StorageError) in
            var next: [String: Int] = [:]
            for (doc, result) in zip(docs, locked) {
                next[doc] = try result.rows.first.map { row throws(StorageError) in try Self.int(row, 0) } ?? 0
            }
            // Versions are checked before anything is written, as SQLite's store does.
            var createdAt: [String: Int64] = [:]
            var last: [String: OpRecord] = [:]
            for record in records {
                let expected = next[record.doc] ?? 0
                guard record.version == expected else {
                    throw .versionConflict(doc: record.doc, expected: expected, found: record.version)
                }
                next[record.doc] = expected + 1
                if createdAt[record.doc] == nil { createdAt[record.doc] = record.ts }
                last[record.doc] = record
            }
            var writes: [PostgresQuery] = []
            var clientWrites: [(index: Int, record: OpRecord)] = []
            for record in records {
                clientWrites.append((writes.count, record))
                writes.append(PostgresQuery("""
                    INSERT INTO clients (doc, client_id, author, first_version, highest_seq, highest_version)
                    VALUES ($1, $2, $3, $4::bigint, $5::bigint, $4::bigint)
                    ON CONFLICT (doc, client_id) DO UPDATE
                        SET highest_seq = excluded.highest_seq, highest_version = excluded.highest_version
                        WHERE excluded.highest_seq > clients.highest_seq
                    """, [record.doc, record.clientId, record.user, String(record.version), String(record.seq)]))
                writes.append(PostgresQuery("""
                    INSERT INTO ops (doc, version, client_id, seq, author, ts, length, op, deleted)
                    VALUES ($1, $2::bigint, $3, $4::bigint, $5, $6::bigint, $7::bigint, $8, $9)
                    """, [record.doc, String(record.version), record.clientId, String(record.seq), record.user,
                          String(record.ts), String(record.length), record.opJSON, record.deletedJSON]))
            }
            var authorsSeen: Set<[String]> = []
            for record in records where authorsSeen.insert([record.doc, record.user]).inserted {
                writes.append(PostgresQuery("""
                    INSERT INTO document_authors (doc, author, first_version) VALUES ($1, $2, $3::bigint)
                    ON CONFLICT (doc, author) DO NOTHING
                    """, [record.doc, record.user, String(record.version)]))
            }
            for doc in docs {
                guard let latest = last[doc], let first = createdAt[doc] else { continue }
                // author_count is recounted after this pipeline's author inserts (same transaction).
                writes.append(PostgresQuery("""
                    INSERT INTO documents (id, version, length, author_count, created_at, updated_at)
                    VALUES ($1, $2::bigint, $3::bigint, (SELECT count(*) FROM document_authors WHERE doc = $1),
                            $4::bigint, $5::bigint)
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, length = excluded.length,
                        author_count = excluded.author_count, updated_at = excluded.updated_at
                    """, [doc, String(latest.version + 1), String(latest.length), String(first), String(latest.ts)]))
            }
            let results = try pipeline(writes)
            // A client row left alone means its seq was not above the stored highest: a resubmission.
            for (index, record) in clientWrites where results[index].affectedRows == 0 {
                throw .duplicate(doc: record.doc, clientId: record.clientId, seq: record.seq)
            }
        }
    }

    /// See `OpStore.saveSnapshot`.
    public func saveSnapshot(_ snapshot: Snapshot) throws(StorageError) {
        _ = try pipeline([PostgresQuery("""
            INSERT INTO snapshots (doc, version, text, length, checksum, created_at)
            VALUES ($1, $2::bigint, $3, $4::bigint, $5, $6::bigint) ON CONFLICT (doc, version) DO NOTHING
            """, [snapshot.doc, String(snapshot.version), snapshot.text, String(snapshot.text.unicodeScalars.count),
                  snapshot.checksum, String(snapshot.createdAt)])])
    }

    /// BEGIN and `first` in one round trip, then `body` with their results, then COMMIT; on any
    /// error ROLLBACK.
    private func inTransaction(_ first: [PostgresQuery],
                               _ body: ([PostgresQueryResult]) throws(StorageError) -> Void) throws(StorageError) {
        do {
            let results = try pipeline([PostgresQuery("BEGIN")] + first)
            try body(Array(results.dropFirst()))
            _ = try pipeline([PostgresQuery("COMMIT")])
        } catch {
            if connection.transactionStatus != .idle, !connection.isClosed {
                _ = try? connection.query("ROLLBACK")
            }
            throw error
        }
    }

    /// Runs `queries` in one pipeline, mapping PostgreSQL's errors to `StorageError`.
    func pipeline(_ queries: [PostgresQuery]) throws(StorageError) -> [PostgresQueryResult] {
        do {
            let results = try connection.pipeline(queries)
            guard results.count == queries.count else {
                throw StorageError.database(code: nil, message: "PostgreSQL answered \(results.count) of \(queries.count) statements")
            }
            return results
        } catch let error as StorageError {
            throw error
        } catch let error as PostgresError {
            throw Self.storageError(error)
        } catch {
            throw .database(code: nil, message: "\(error)")
        }
    }

    /// A client error as a storage error (`.database` with the SQLSTATE, if any).
    public static func storageError(_ error: PostgresError) -> StorageError {
        .database(code: error.sqlState?.code, message: error.description)
    }

    // MARK: - Reading

    static let opColumns = "doc, version, client_id, seq, author, ts, length, op, deleted"

    static func opRecord(_ row: [String?]) throws(StorageError) -> OpRecord {
        OpRecord(doc: try text(row, 0), version: try int(row, 1), clientId: try text(row, 2), seq: try int(row, 3),
                 user: try text(row, 4), ts: try int64(row, 5), length: try int(row, 6), opJSON: try text(row, 7),
                 deletedJSON: try text(row, 8))
    }

    func rows(_ sql: String, _ parameters: [String?]) throws(StorageError) -> [[String?]] {
        try pipeline([PostgresQuery(sql, parameters)])[0].rows
    }

    /// See `OpStore.ops(doc:from:limit:)`.
    public func ops(doc: String, from version: Int, limit: Int) throws(StorageError) -> [OpRecord] {
        guard limit > 0 else { return [] }
        return try rows("""
            SELECT \(Self.opColumns) FROM ops WHERE doc = $1 AND version >= $2::bigint ORDER BY version LIMIT $3::bigint
            """, [doc, String(version), String(limit)]).map { row throws(StorageError) in try Self.opRecord(row) }
    }

    /// See `OpStore.op(doc:clientId:seq:)`: the client's latest op at or below `seq`, if that
    /// one has exactly `seq` (a walk back over the primary key, bounded by the client's row).
    public func op(doc: String, clientId: String, seq: Int) throws(StorageError) -> OpRecord? {
        guard let client = try client(doc: doc, clientId: clientId), seq <= client.highestSeq else { return nil }
        guard let row = try rows("""
            SELECT \(Self.opColumns) FROM ops
            WHERE doc = $1 AND version BETWEEN $2::bigint AND $3::bigint AND client_id = $4 AND seq <= $5::bigint
            ORDER BY version DESC LIMIT 1
            """, [doc, String(client.firstVersion), String(client.highestVersion), clientId, String(seq)]).first
        else { return nil }
        let record = try Self.opRecord(row)
        return record.seq == seq ? record : nil
    }

    /// See `OpStore.client(doc:clientId:)`.
    public func client(doc: String, clientId: String) throws(StorageError) -> ClientRecord? {
        guard let row = try rows("""
            SELECT author, first_version, highest_seq, highest_version FROM clients WHERE doc = $1 AND client_id = $2
            """, [doc, clientId]).first else { return nil }
        return ClientRecord(clientId: clientId, user: try Self.text(row, 0), firstVersion: try Self.int(row, 1),
                            highestSeq: try Self.int(row, 2), highestVersion: try Self.int(row, 3))
    }

    /// See `OpStore.latestSnapshot(doc:atOrBefore:)`.
    public func latestSnapshot(doc: String, atOrBefore version: Int?) throws(StorageError) -> Snapshot? {
        guard let row = try rows("""
            SELECT version, text, checksum, created_at FROM snapshots
            WHERE doc = $1 AND version <= $2::bigint ORDER BY version DESC LIMIT 1
            """, [doc, String(version ?? Int.max)]).first else { return nil }
        return Snapshot(doc: doc, version: try Self.int(row, 0), text: try Self.text(row, 1),
                        checksum: try Self.text(row, 2), createdAt: try Self.int64(row, 3))
    }

    private static let documentColumns = "id, version, length, author_count, created_at, updated_at"

    private static func documentInfo(_ row: [String?]) throws(StorageError) -> DocumentInfo {
        DocumentInfo(id: try text(row, 0), version: try int(row, 1), length: try int(row, 2),
                     authorCount: try int(row, 3), createdAt: try int64(row, 4), updatedAt: try int64(row, 5))
    }

    /// See `OpStore.documentInfo(doc:)`.
    public func documentInfo(doc: String) throws(StorageError) -> DocumentInfo? {
        try rows("SELECT \(Self.documentColumns) FROM documents WHERE id = $1", [doc]).first
            .map { row throws(StorageError) in try Self.documentInfo(row) }
    }

    /// See `OpStore.listDocuments()`. Ordered by id byte-wise (COLLATE "C"), as SQLite orders.
    public func listDocuments() throws(StorageError) -> [DocumentInfo] {
        try rows("SELECT \(Self.documentColumns) FROM documents ORDER BY id COLLATE \"C\"", [])
            .map { row throws(StorageError) in try Self.documentInfo(row) }
    }

    /// See `OpStore.currentVersion(doc:)`.
    public func currentVersion(doc: String) throws(StorageError) -> Int {
        try rows("SELECT version FROM documents WHERE id = $1", [doc]).first
            .map { row throws(StorageError) in try Self.int(row, 0) } ?? 0
    }

    /// See `OpStore.horizon(doc:)`.
    public func horizon(doc: String) throws(StorageError) -> Int {
        try rows("SELECT horizon FROM documents WHERE id = $1", [doc]).first
            .map { row throws(StorageError) in try Self.int(row, 0) } ?? 0
    }

    /// See `OpStore.version(doc:atOrBefore:)`: one past the latest op committed at or before
    /// `ts`, found by a backward scan of the document's primary key (cheap for recent times; no
    /// time index is kept on the write path). Same answer as SQLite's binary search while commit
    /// times do not decrease along a document's versions.
    public func version(doc: String, atOrBefore ts: Int64) throws(StorageError) -> Int {
        try rows("""
            SELECT version + 1 FROM ops WHERE doc = $1 AND ts <= $2::bigint ORDER BY version DESC LIMIT 1
            """, [doc, String(ts)]).first.map { row throws(StorageError) in try Self.int(row, 0) } ?? 0
    }

    // MARK: - Columns (text format)

    static func text(_ row: [String?], _ index: Int) throws(StorageError) -> String {
        guard index < row.count, let value = row[index] else {
            throw .database(code: nil, message: "PostgreSQL returned NULL or too few columns (column \(index))")
        }
        return value
    }

    static func int(_ row: [String?], _ index: Int) throws(StorageError) -> Int {
        let value = try text(row, index)
        guard let number = Int(value) else {
            throw .database(code: nil, message: "PostgreSQL returned '\(value)' for an integer (column \(index))")
        }
        return number
    }

    static func int64(_ row: [String?], _ index: Int) throws(StorageError) -> Int64 {
        Int64(try int(row, index))
    }
}

@available(*, unavailable)
extension PostgresOpStore: Sendable {}
