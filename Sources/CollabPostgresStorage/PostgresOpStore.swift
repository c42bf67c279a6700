import CollabPostgres
import CollabStorage
import Foundation

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
        try connect(configuration) { connection throws(StorageError) in
            do throws(PostgresMigrationError) {
                try migrator.migrate(connection)
            } catch {
                throw Self.storageError(error)
            }
        }
    }

    /// Connects without migrating, for readers such as `collab export`: refuses a schema older
    /// (`.schemaOutdated`) or newer (`.migration(.databaseNewer)`) than `migrator`'s, and makes
    /// the session's transactions read-only, so a reader cannot write by mistake.
    public static func openForReading(_ configuration: PostgresConfiguration, migrator: PostgresMigrator = .embedded)
        throws(StorageError) -> PostgresOpStore {
        try connect(configuration) { connection throws(StorageError) in
            let applied: [Int]
            do throws(PostgresMigrationError) {
                applied = try migrator.appliedVersions(on: connection)
            } catch {
                throw Self.storageError(error)
            }
            if let highest = applied.last, highest > migrator.knownVersion {
                throw .migration(.databaseNewer(databaseVersion: highest, knownVersion: migrator.knownVersion))
            }
            let done = Set(applied)
            if migrator.migrations.contains(where: { !done.contains($0.version) }) {
                throw .schemaOutdated(databaseVersion: applied.last ?? 0, knownVersion: migrator.knownVersion)
            }
            do throws(PostgresError) {
                try connection.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            } catch {
                throw Self.storageError(error)
            }
        }
    }

    /// Connects, then runs `prepare` on the connection (closed again if it throws).
    private static func connect(_ configuration: PostgresConfiguration,
                                then prepare: (PostgresConnection) throws(StorageError) -> Void)
        throws(StorageError) -> PostgresOpStore {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(configuration)
        } catch {
            throw Self.storageError(error)
        }
        do {
            try prepare(connection)
        } catch {
            connection.close()
            throw error
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

    /// See `OpStore.append`. One transaction, two round trips: lock and read the documents'
    /// versions and the clients' seqs; then one multi-row statement per table and COMMIT in one
    /// pipeline. Nothing is stored on any error.
    public func append(_ records: [OpRecord]) throws(StorageError) {
        do {
            _ = try appendInTransaction(records)
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

    /// Appends `records` in one transaction, leaving out every document whose records are
    /// refused (a version conflict or an already stored seq), which are returned by document:
    /// one round trip finds them all, and the other documents' records commit regardless.
    /// Throws only what is not a refusal (a lost connection, a statement the server refused).
    public func appendSkippingRefused(_ records: [OpRecord]) throws(StorageError) -> [String: StorageError] {
        do {
            return try appendInTransaction(records, skippingRefused: true)
        } catch .database(code: PostgresSQLState.uniqueViolation.code, let message) {
            // As in `append`: another writer took a version of a document that had no row to
            // lock (two nodes storing a document's first ops at once). Everything was rolled
            // back: the documents that moved are refused and the others written again.
            var firstOfDoc: [String: Int] = [:]
            for record in records where firstOfDoc[record.doc] == nil { firstOfDoc[record.doc] = record.version }
            var refused: [String: StorageError] = [:]
            for record in records where firstOfDoc[record.doc] == record.version {
                let stored = try currentVersion(doc: record.doc)
                if stored != record.version {
                    refused[record.doc] = .versionConflict(doc: record.doc, expected: stored, found: record.version)
                }
            }
            guard !refused.isEmpty else {
                throw .database(code: PostgresSQLState.uniqueViolation.code, message: message)
            }
            let rest = records.filter { refused[$0.doc] == nil }
            return refused.merging(try appendSkippingRefused(rest)) { first, _ in first }
        }
    }

    @discardableResult
    private func appendInTransaction(_ records: [OpRecord], skippingRefused: Bool = false)
        throws(StorageError) -> [String: StorageError] {
        guard !records.isEmpty else { return [:] }
        let docs = Array(Set(records.map(\.doc))).sorted()
        var clientKeys: [(doc: String, clientId: String)] = []
        var seenClients: Set<[String]> = []
        for record in records where seenClients.insert([record.doc, record.clientId]).inserted {
            clientKeys.append((record.doc, record.clientId))
        }
        do throws(StorageError) {
            // Round trip 1: lock the documents' rows (in id order, so appenders cannot
            // deadlock) and read their versions and the clients' highest seqs.
            let read = try pipeline([
                PostgresQuery("BEGIN"),
                PostgresQuery("SELECT id, version FROM documents WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE",
                              [Self.textArray(docs)]),
                PostgresQuery("""
                    SELECT c.doc, c.client_id, c.highest_seq FROM clients c
                    JOIN unnest($1::text[], $2::text[]) AS k(doc, client_id) ON c.doc = k.doc AND c.client_id = k.client_id
                    """, [Self.textArray(clientKeys.map(\.doc)), Self.textArray(clientKeys.map(\.clientId))]),
            ])
            var next: [String: Int] = [:]
            for row in read[1].rows { next[try Self.text(row, 0)] = try Self.int(row, 1) }
            var highestSeq: [[String]: Int] = [:]
            for row in read[2].rows {
                let key = [try Self.text(row, 0), try Self.text(row, 1)]
                highestSeq[key] = try Self.int(row, 2)
            }
            // Versions and seqs are checked before anything is written, as SQLite's store does:
            // a refused document's records are all left out (or, not skipping, nothing is written).
            var refused: [String: StorageError] = [:]
            var expectedNext = next
            var seenSeqs = highestSeq
            for record in records where refused[record.doc] == nil {
                let expected = expectedNext[record.doc] ?? 0
                let key = [record.doc, record.clientId]
                let refusal: StorageError
                if record.version != expected {
                    refusal = .versionConflict(doc: record.doc, expected: expected, found: record.version)
                } else if let stored = seenSeqs[key], record.seq <= stored {
                    refusal = .duplicate(doc: record.doc, clientId: record.clientId, seq: record.seq)
                } else {
                    expectedNext[record.doc] = expected + 1
                    seenSeqs[key] = record.seq
                    continue
                }
                guard skippingRefused else { throw refusal }
                refused[record.doc] = refusal
            }
            let records = refused.isEmpty ? records : records.filter { refused[$0.doc] == nil }
            guard !records.isEmpty else {
                _ = try pipeline([PostgresQuery("ROLLBACK")])
                return refused
            }
            let docs = refused.isEmpty ? docs : docs.filter { refused[$0] == nil }
            var clientRows: [[String]: (author: String, firstVersion: Int, seq: Int, version: Int)] = [:]
            var firstOfDoc: [String: OpRecord] = [:]
            var lastOfDoc: [String: OpRecord] = [:]
            var authors: [(doc: String, author: String, version: Int)] = []
            var seenAuthors: Set<[String]> = []
            for record in records {
                let key = [record.doc, record.clientId]
                let existing = clientRows[key]
                clientRows[key] = (existing?.author ?? record.user, existing?.firstVersion ?? record.version,
                                   record.seq, record.version)
                if firstOfDoc[record.doc] == nil { firstOfDoc[record.doc] = record }
                lastOfDoc[record.doc] = record
                if seenAuthors.insert([record.doc, record.user]).inserted {
                    authors.append((record.doc, record.user, record.version))
                }
            }
            let clients = clientKeys.compactMap { key in clientRows[[key.doc, key.clientId]].map { (key, $0) } }
            // Round trip 2: every write as one multi-row statement per table, then COMMIT; an
            // error skips the rest (COMMIT included) and the transaction is rolled back below.
            _ = try pipeline([
                PostgresQuery("""
                    INSERT INTO clients (doc, client_id, author, first_version, highest_seq, highest_version)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
                    ON CONFLICT (doc, client_id) DO UPDATE
                        SET highest_seq = excluded.highest_seq, highest_version = excluded.highest_version
                    """, [Self.textArray(clients.map(\.0.doc)), Self.textArray(clients.map(\.0.clientId)),
                          Self.textArray(clients.map(\.1.author)), Self.integerArray(clients.map(\.1.firstVersion)),
                          Self.integerArray(clients.map(\.1.seq)), Self.integerArray(clients.map(\.1.version))]),
                PostgresQuery("""
                    INSERT INTO ops (doc, version, client_id, seq, author, ts, length, op, deleted)
                    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::bigint[],
                                         $7::bigint[], $8::text[], $9::text[])
                    """, [Self.textArray(records.map(\.doc)), Self.integerArray(records.map(\.version)),
                          Self.textArray(records.map(\.clientId)), Self.integerArray(records.map(\.seq)),
                          Self.textArray(records.map(\.user)), Self.integerArray(records.map { Int($0.ts) }),
                          Self.integerArray(records.map(\.length)), Self.textArray(records.map(\.opJSON)),
                          Self.textArray(records.map(\.deletedJSON))]),
                PostgresQuery("""
                    INSERT INTO document_authors (doc, author, first_version)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT (doc, author) DO NOTHING
                    """, [Self.textArray(authors.map(\.doc)), Self.textArray(authors.map(\.author)),
                          Self.integerArray(authors.map(\.version))]),
                // author_count is recounted after the author inserts above (same transaction).
                PostgresQuery("""
                    INSERT INTO documents (id, version, length, author_count, created_at, updated_at)
                    SELECT u.id, u.version, u.length, (SELECT count(*) FROM document_authors a WHERE a.doc = u.id),
                           u.created_at, u.updated_at
                    FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
                        AS u(id, version, length, created_at, updated_at)
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, length = excluded.length,
                        author_count = excluded.author_count, updated_at = excluded.updated_at
                    """, [Self.textArray(docs), Self.integerArray(docs.map { lastOfDoc[$0]!.version + 1 }),
                          Self.integerArray(docs.map { lastOfDoc[$0]!.length }),
                          Self.integerArray(docs.map { Int(firstOfDoc[$0]!.ts) }),
                          Self.integerArray(docs.map { Int(lastOfDoc[$0]!.ts) })]),
                PostgresQuery("COMMIT"),
            ])
            return refused
        } catch {
            if connection.transactionStatus != .idle, !connection.isClosed {
                _ = try? connection.query("ROLLBACK")
            }
            throw error
        }
    }

    /// A `text[]` literal: every element double-quoted, `"` and `\` escaped.
    static func textArray(_ values: [String]) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for scalar in value.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { literal += "\\" }
                literal.unicodeScalars.append(scalar)
            }
            literal += "\""
        }
        return literal + "}"
    }

    /// A `bigint[]` literal.
    static func integerArray(_ values: [Int]) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }

    /// Takes the next join generation of `clientId` on `doc` (1 for its first join): a node
    /// whose connection of that client has an older one closes it (replacement across nodes).
    public func claimJoin(doc: String, clientId: String) throws(StorageError) -> Int {
        guard let row = try rows("""
            INSERT INTO client_joins (doc, client_id, generation) VALUES ($1, $2, 1)
            ON CONFLICT (doc, client_id) DO UPDATE SET generation = client_joins.generation + 1
            RETURNING generation
            """, [doc, clientId]).first else {
            throw .database(code: nil, message: "no generation returned for client \(clientId)")
        }
        return try Self.int(row, 0)
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
            // Every statement of the store is fixed text: the session keeps each prepared, so
            // PostgreSQL parses and plans it once per connection, not once per transaction.
            let results = try connection.pipeline(queries.map { query in
                var prepared = query
                prepared.isPrepared = true
                return prepared
            })
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

    /// This connection's server session.
    public func serverSession() throws(StorageError) -> PostgresServerSession {
        guard let row = try rows("SELECT pid, backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()", []).first
        else { throw .database(code: nil, message: "no pg_stat_activity row for this session") }
        return PostgresServerSession(processID: Int32(try Self.int(row, 0)), started: try Self.text(row, 1))
    }

    /// Ends `session` (one of ours whose connection was lost) and waits until it is gone, so
    /// whatever it was committing has committed or rolled back by the time this returns; a
    /// session already gone returns at once. Throws if it is still there after `timeout`.
    public func end(_ session: PostgresServerSession, within timeout: Duration = .seconds(5)) throws(StorageError) {
        let arguments = [String(session.processID), session.started]
        do {
            _ = try rows("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1::int AND backend_start::text = $2
                """, arguments)
        } catch .database(code: "42501", _) {
            // Not allowed to end it (a role set up without that right): wait for it to go.
        }
        let deadline = ContinuousClock.now + timeout
        while !(try rows("SELECT 1 FROM pg_stat_activity WHERE pid = $1::int AND backend_start::text = $2", arguments)).isEmpty {
            guard ContinuousClock.now < deadline else {
                throw .database(code: nil, message: "session \(session.processID) of PostgreSQL did not end within \(timeout)")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
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

    /// The versions of `docs` that have ops, by id, in one query.
    public func currentVersions(docs: [String]) throws(StorageError) -> [String: Int] {
        guard !docs.isEmpty else { return [:] }
        var versions: [String: Int] = [:]
        for row in try rows("SELECT id, version FROM documents WHERE id = ANY($1::text[])", [Self.textArray(docs)]) {
            versions[try Self.text(row, 0)] = try Self.int(row, 1)
        }
        return versions
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
