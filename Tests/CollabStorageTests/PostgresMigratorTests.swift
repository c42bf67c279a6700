import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import CollabTestSupport
import Foundation
import Testing

/// PostgreSQL's migrations against a throwaway cluster: idempotent, safe when nodes start
/// together, all-or-nothing, and refusing a schema newer than the binary.
@Suite(.postgresCluster,
       .enabled(if: PostgresTestCluster.binariesAvailable,
                "PostgreSQL binaries (initdb, pg_ctl, psql) not found in /usr/lib/postgresql/N/bin (apt-get install postgresql): skipped"))
struct PostgresMigratorTests {
    let configuration: PostgresConfiguration

    init() throws {
        configuration = try PostgresTestCluster.running().freshDatabase()
    }

    private func connect() throws -> PostgresConnection {
        try PostgresConnection.connect(configuration)
    }

    private func tables(_ connection: PostgresConnection) throws -> [String] {
        try connection.query("""
            SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename COLLATE "C"
            """).rows.compactMap { $0.first ?? nil }
    }

    @Test func embeddedMigrationsMatchTheMigrationsPostgresFolder() throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Migrations/postgres")
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
        #expect(PostgresMigrator.embedded.migrations == onDisk)
        // SQLite's embedding does not pick up the subfolder.
        #expect(Migrator.embedded.migrations.allSatisfy { !onDisk.contains($0) })
    }

    @Test func embeddedMigrationsAreNumberedAndCreateTheSchema() throws {
        let migrator = PostgresMigrator.embedded
        #expect(migrator.migrations.map(\.version) == Array(1...migrator.knownVersion))
        #expect(migrator.migrations.first?.name == "initial")
        let connection = try connect()
        defer { connection.close() }
        #expect(try migrator.appliedVersions(on: connection) == [])
        #expect(try migrator.migrate(connection).map(\.version) == Array(1...migrator.knownVersion))
        #expect(try tables(connection) == ["client_joins", "clients", "document_authors", "documents", "named_versions", "ops",
                                           "schema_migrations", "snapshots"])
        #expect(connection.transactionStatus == .idle)
    }

    @Test func migratingTwiceIsANoOp() throws {
        let connection = try connect()
        defer { connection.close() }
        try PostgresMigrator.embedded.migrate(connection)
        let recorded = try connection.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
        #expect(try PostgresMigrator.embedded.migrate(connection) == [])
        #expect(try connection.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
                == recorded)
        // A store opened on the migrated database applies nothing either.
        let store = try PostgresOpStore.open(configuration)
        store.close()
        #expect(try connection.query("SELECT count(*) FROM schema_migrations").rows
                == [[String(PostgresMigrator.embedded.knownVersion)]])
    }

    /// Nodes starting together: several migrators on their own connections, released at once
    /// on an empty database, all succeed; exactly one applies the schema, once.
    @Test func racingMigratorsAllSucceedAndApplyOnce() throws {
        let racers = 4
        let connections = try (0..<racers).map { _ in try connect() }
        defer { connections.forEach { $0.close() } }
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let outcomes = MigrationOutcomes()
        for connection in connections {
            // Each thread uses only its own connection (not Sendable): the box says so.
            let box = UncheckedConnection(connection)
            done.enter()
            Thread.detachNewThread {
                start.wait()
                let outcome = Result { () throws(PostgresMigrationError) in
                    try PostgresMigrator.embedded.migrate(box.connection).map(\.version)
                }
                outcomes.append(outcome)
                done.leave()
            }
        }
        for _ in 0..<racers { start.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success)
        let results = outcomes.all
        #expect(results.count == racers)
        let applied = results.compactMap { try? $0.get() }
        #expect(applied.count == racers, "\(results)")
        #expect(applied.filter { !$0.isEmpty } == [Array(1...PostgresMigrator.embedded.knownVersion)])
        let check = try connect()
        defer { check.close() }
        #expect(try check.query("SELECT count(*), count(DISTINCT version) FROM schema_migrations").rows
                == [[String(PostgresMigrator.embedded.knownVersion), String(PostgresMigrator.embedded.knownVersion)]])
    }

    @Test func newerSchemaIsRefusedUntouched() throws {
        let connection = try connect()
        defer { connection.close() }
        try PostgresMigrator.embedded.migrate(connection)
        let newer = PostgresMigrator.embedded.knownVersion + 1
        try connection.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1::int, 'future', 0)",
                             [String(newer)])
        #expect(throws: PostgresMigrationError.databaseNewer(databaseVersion: newer,
                                                             knownVersion: PostgresMigrator.embedded.knownVersion)) {
            try PostgresMigrator.embedded.migrate(connection)
        }
        #expect(connection.transactionStatus == .idle)
        #expect(throws: StorageError.migration(.databaseNewer(databaseVersion: newer,
                                                              knownVersion: PostgresMigrator.embedded.knownVersion))) {
            try PostgresOpStore.open(configuration)
        }
        #expect(try connection.query("SELECT max(version) FROM schema_migrations").rows == [[String(newer)]])
    }

    /// A failing migration keeps nothing of the run: not the migrations before it, not their rows.
    @Test func failingMigrationRollsBackTheWholeRun() throws {
        let connection = try connect()
        defer { connection.close() }
        let migrator = PostgresMigrator(migrations: [
            Migration(version: 1, name: "schema", sql: "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); CREATE TABLE kept (id INT)"),
            Migration(version: 2, name: "broken", sql: "CREATE TABLE broken (id INT); SELECT * FROM no_such_table"),
        ])
        let error = #expect(throws: PostgresMigrationError.self) { try migrator.migrate(connection) }
        guard case .failed(let version, let cause)? = error else {
            Issue.record("expected .failed, got \(String(describing: error))")
            return
        }
        #expect(version == 2)
        #expect(cause.sqlState == .undefinedTable)
        #expect(connection.transactionStatus == .idle)
        #expect(try tables(connection) == [])
        // The connection is usable and a corrected run applies both.
        let fixed = PostgresMigrator(migrations: [migrator.migrations[0],
                                                  Migration(version: 2, name: "fixed", sql: "CREATE TABLE fixed (id INT)")])
        #expect(try fixed.migrate(connection).map(\.version) == [1, 2])
        #expect(try tables(connection) == ["fixed", "kept", "schema_migrations"])
    }
}

/// Hands a connection to the one thread that uses it.
private struct UncheckedConnection: @unchecked Sendable {
    // @unchecked: each racing thread gets its own connection and the test touches it only
    // after the thread has finished (DispatchGroup.wait orders the accesses).
    let connection: PostgresConnection

    init(_ connection: PostgresConnection) { self.connection = connection }
}

/// What the racing migrators returned, collected from their threads.
private final class MigrationOutcomes: @unchecked Sendable {
    // @unchecked: every access to `outcomes` holds `lock`.
    private let lock = NSLock()
    private var outcomes: [Result<[Int], PostgresMigrationError>] = []

    func append(_ outcome: Result<[Int], PostgresMigrationError>) { lock.withLock { outcomes.append(outcome) } }

    var all: [Result<[Int], PostgresMigrationError>] { lock.withLock { outcomes } }
}
