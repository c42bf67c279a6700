import Foundation
import Testing
@testable import CollabStorage
import CollabTestSupport

@Suite struct MigratorTests {
    static let tables = ["clients", "document_authors", "documents", "named_versions", "ops", "schema_migrations", "snapshots"]

    private func tableNames(_ database: Database) throws -> [String] {
        var names: [String] = []
        try database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .forEachRow { row in names.append(row.string(0)) }
        return names
    }

    @Test func freshDatabaseGetsEveryEmbeddedMigration() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path())
        #expect(try Migrator.embedded.pendingMigrations(in: database).map(\.version) == [1, 2, 3, 4])
        let applied = try Migrator.embedded.migrate(database)
        #expect(applied.map(\.name) == ["initial", "drop_history_indexes", "clients_table", "named_versions_and_horizon"])
        #expect(try tableNames(database) == Self.tables)
        #expect(try Migrator.embedded.appliedVersions(in: database) == [1, 2, 3, 4])
        // 2 and 3 leave the op log with its primary key alone: no index to write per op.
        #expect(try database.scalarText(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ops'") == "0")
        #expect(try database.scalarText("SELECT name FROM schema_migrations WHERE version = 1") == "initial")
    }

    /// Migration 3 on a version-2 database with ops: the `clients` rows say what the op log
    /// says, the ops are unchanged, and exactly-once lookups answer as before.
    @Test func clientsTableIsBuiltFromAnExistingOpLog() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path())
        try Migrator(migrations: Array(Migrator.embedded.migrations.prefix(2))).migrate(database)
        let rows: [(doc: String, version: Int, client: String, seq: Int, user: String)] = [
            ("d", 0, "c1", 3, "ada"), ("d", 1, "c2", 1, "bob"), ("d", 2, "c1", 4, "ada"),
            ("d", 3, "c1", 9, "eve"), ("e", 0, "c1", 1, "cy"),
        ]
        for row in rows {
            let insert = try database.prepare("""
                INSERT INTO ops (doc, version, client_id, seq, user, ts, length, op, deleted)
                VALUES (?, ?, ?, ?, ?, 7, 1, '["x"]', '[]')
                """)
            try insert.bind([row.doc, row.version, row.client, row.seq, row.user])
            try insert.run()
        }
        try database.execute("INSERT INTO documents VALUES ('d', 4, 1, 3, 7, 7), ('e', 1, 1, 1, 7, 7)")
        let before = try database.scalarText("SELECT group_concat(doc || version || client_id || seq || user, ',') FROM ops")
        #expect(try Migrator(migrations: Array(Migrator.embedded.migrations.prefix(3))).migrate(database).map(\.version) == [3])
        #expect(try database.scalarText("SELECT group_concat(doc || version || client_id || seq || user, ',') FROM ops")
                == before)
        var clients: [String] = []
        try database.prepare("SELECT doc, client_id, user, first_version, highest_seq, highest_version FROM clients ORDER BY 1, 2")
            .forEachRow { row in
                clients.append("\(row.string(0)) \(row.string(1)) \(row.string(2)) \(row.int(3)) \(row.int(4)) \(row.int(5))")
            }
        #expect(clients == ["d c1 ada 0 9 3", "d c2 bob 1 1 1", "e c1 cy 0 1 0"])
        let store = SQLiteOpStore(database: database)
        #expect(try store.op(doc: "d", clientId: "c1", seq: 4)?.version == 2)
        #expect(try store.op(doc: "d", clientId: "c1", seq: 5) == nil)
        #expect(try store.client(doc: "d", clientId: "c1")?.user == "ada")
        // The unique index is gone; the next op of c1 must still be above 9.
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "c1", seq: 9)) {
            try store.append([OpRecord(doc: "d", version: 4, clientId: "c1", seq: 9, user: "ada", ts: 8,
                                       length: 1, opJSON: "[1]", deletedJSON: "[]")])
        }
    }

    @Test func reRunIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path())
        try Migrator.embedded.migrate(database)
        #expect(try Migrator.embedded.migrate(database).isEmpty)
        #expect(try Migrator.embedded.pendingMigrations(in: database).isEmpty)
        #expect(try database.scalarText("SELECT count(*) FROM schema_migrations") == "4")
    }

    @Test func laterMigrationsApplyInOrderAndDryRunListsThem() throws {
        let database = try Database(path: ":memory:")
        let first = Migrator(migrations: Array(Migrator.embedded.migrations.prefix(1)))
        try first.migrate(database)
        let extra = [
            Migration(version: 6, name: "six", sql: "CREATE TABLE six (a INTEGER REFERENCES five (a));"),
            Migration(version: 5, name: "five", sql: "CREATE TABLE five (a INTEGER PRIMARY KEY);"),
        ]
        let next = Migrator(migrations: Migrator.embedded.migrations + extra)
        #expect(next.knownVersion == 6)
        #expect(try next.pendingMigrations(in: database).map(\.name)
                == ["drop_history_indexes", "clients_table", "named_versions_and_horizon", "five", "six"])
        #expect(try tableNames(database) == Self.tables.filter { $0 != "clients" && $0 != "named_versions" })  // dry run changed nothing
        #expect(try next.migrate(database).map(\.version) == [2, 3, 4, 5, 6])
        #expect(try next.appliedVersions(in: database) == [1, 2, 3, 4, 5, 6])
    }

    @Test func failingMigrationLeavesNothingBehind() throws {
        let database = try Database(path: ":memory:")
        try Migrator.embedded.migrate(database)
        let broken = Migrator(migrations: Migrator.embedded.migrations + [
            Migration(version: 5, name: "broken", sql: "CREATE TABLE half (a INTEGER); CREATE TABLE ops (x);"),
        ])
        let error = try #require(throws: MigrationError.self) { try broken.migrate(database) }
        guard case .failed(let version?, let cause) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(version == 5)
        #expect(cause.message == "table ops already exists")
        #expect(try tableNames(database) == Self.tables)
        #expect(try broken.appliedVersions(in: database) == [1, 2, 3, 4])
    }

    @Test func newerDatabaseIsRefusedUntouched() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path())
        try Migrator.embedded.migrate(database)
        try database.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (7, 'future', 0)")
        let error = try #require(throws: MigrationError.self) { try Migrator.embedded.migrate(database) }
        #expect(error == .databaseNewer(databaseVersion: 7, knownVersion: 4))
        #expect(error.description
            == "database schema version 7 is newer than this collab (knows up to 4); upgrade collab")
        #expect(throws: MigrationError.databaseNewer(databaseVersion: 7, knownVersion: 4)) {
            try Migrator.embedded.pendingMigrations(in: database)
        }
        let store = #expect(throws: StorageError.self) {
            try SQLiteOpStore.openForWriting(path: directory.path())
        }
        #expect(store == .migration(.databaseNewer(databaseVersion: 7, knownVersion: 4)))
    }

    @Test func readOnlyStoreRefusesUnmigratedDatabase() throws {
        let directory = try TemporaryDirectory()
        _ = try Database(path: directory.path())
        let error = #expect(throws: StorageError.self) { try SQLiteOpStore.openForReading(path: directory.path()) }
        #expect(error == .schemaOutdated(databaseVersion: 0, knownVersion: 4))
    }

    /// The plugin embeds Migrations/ at build time; this checks what was embedded is what is on disk.
    @Test func embeddedMigrationsMatchTheMigrationsFolder() throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        let onDisk = try files.map { file in
            let stem = file.dropLast(4)
            let underscore = try #require(stem.firstIndex(of: "_"))
            return Migration(version: try #require(Int(stem[..<underscore])),
                             name: String(stem[stem.index(after: underscore)...]),
                             sql: try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
        }
        #expect(Migrator.embedded.migrations == onDisk)
        #expect(Migrator.embedded.migrations.map(\.version) == Array(1...onDisk.count))
    }
}
