import Foundation
import Testing
@testable import CollabStorage

@Suite struct MigratorTests {
    static let tables = ["document_authors", "documents", "ops", "schema_migrations", "snapshots"]

    private func tableNames(_ database: Database) throws -> [String] {
        var names: [String] = []
        try database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .forEachRow { row in names.append(row.string(0)) }
        return names
    }

    @Test func freshDatabaseGetsEveryEmbeddedMigration() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path())
        #expect(try Migrator.embedded.pendingMigrations(in: database).map(\.version) == [1, 2])
        let applied = try Migrator.embedded.migrate(database)
        #expect(applied.map(\.name) == ["initial", "drop_history_indexes"])
        #expect(try tableNames(database) == Self.tables)
        #expect(try Migrator.embedded.appliedVersions(in: database) == [1, 2])
        // 2 leaves the op log with its primary key and the exactly-once index only.
        #expect(try database.scalarText(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('ops_by_time', 'ops_by_user')") == "0")
        #expect(try database.scalarText("SELECT name FROM schema_migrations WHERE version = 1") == "initial")
    }

    @Test func reRunIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path())
        try Migrator.embedded.migrate(database)
        #expect(try Migrator.embedded.migrate(database).isEmpty)
        #expect(try Migrator.embedded.pendingMigrations(in: database).isEmpty)
        #expect(try database.scalarText("SELECT count(*) FROM schema_migrations") == "2")
    }

    @Test func laterMigrationsApplyInOrderAndDryRunListsThem() throws {
        let database = try Database(path: ":memory:")
        let first = Migrator(migrations: Array(Migrator.embedded.migrations.prefix(1)))
        try first.migrate(database)
        let extra = [
            Migration(version: 4, name: "four", sql: "CREATE TABLE four (a INTEGER REFERENCES three (a));"),
            Migration(version: 3, name: "three", sql: "CREATE TABLE three (a INTEGER PRIMARY KEY);"),
        ]
        let next = Migrator(migrations: Migrator.embedded.migrations + extra)
        #expect(next.knownVersion == 4)
        #expect(try next.pendingMigrations(in: database).map(\.name) == ["drop_history_indexes", "three", "four"])
        #expect(try tableNames(database) == Self.tables)  // dry run changed nothing
        #expect(try next.migrate(database).map(\.version) == [2, 3, 4])
        #expect(try next.appliedVersions(in: database) == [1, 2, 3, 4])
    }

    @Test func failingMigrationLeavesNothingBehind() throws {
        let database = try Database(path: ":memory:")
        try Migrator.embedded.migrate(database)
        let broken = Migrator(migrations: Migrator.embedded.migrations + [
            Migration(version: 3, name: "broken", sql: "CREATE TABLE half (a INTEGER); CREATE TABLE ops (x);"),
        ])
        let error = try #require(throws: MigrationError.self) { try broken.migrate(database) }
        guard case .failed(let version?, let cause) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(version == 3)
        #expect(cause.message == "table ops already exists")
        #expect(try tableNames(database) == Self.tables)
        #expect(try broken.appliedVersions(in: database) == [1, 2])
    }

    @Test func newerDatabaseIsRefusedUntouched() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path())
        try Migrator.embedded.migrate(database)
        try database.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (7, 'future', 0)")
        let error = try #require(throws: MigrationError.self) { try Migrator.embedded.migrate(database) }
        #expect(error == .databaseNewer(databaseVersion: 7, knownVersion: 2))
        #expect(error.description
            == "database schema version 7 is newer than this collab (knows up to 2); upgrade collab")
        #expect(throws: MigrationError.databaseNewer(databaseVersion: 7, knownVersion: 2)) {
            try Migrator.embedded.pendingMigrations(in: database)
        }
        let store = #expect(throws: StorageError.self) {
            try SQLiteOpStore.openForWriting(path: directory.path())
        }
        #expect(store == .migration(.databaseNewer(databaseVersion: 7, knownVersion: 2)))
    }

    @Test func readOnlyStoreRefusesUnmigratedDatabase() throws {
        let directory = try TemporaryDirectory()
        _ = try Database(path: directory.path())
        let error = #expect(throws: StorageError.self) { try SQLiteOpStore.openForReading(path: directory.path()) }
        #expect(error == .schemaOutdated(databaseVersion: 0, knownVersion: 2))
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
