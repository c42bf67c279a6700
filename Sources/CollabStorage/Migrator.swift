import Foundation

/// Applies numbered migrations in order and records each in `schema_migrations`.
///
/// Each migration runs with its `schema_migrations` row in one IMMEDIATE transaction, so it is
/// applied completely or not at all. Applied migrations are skipped. A database whose highest
/// recorded version is above the highest one known here is refused untouched.
public struct Migrator: Sendable {
    /// The migrations, in version order.
    public let migrations: [Migration]

    /// A migrator for `migrations` (sorted by version here).
    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The migrator for the schema embedded in this binary (Migrations/*.sql).
    public static let embedded = Migrator(migrations: Migration.embedded)

    /// The highest version this migrator knows (0 if none).
    public var knownVersion: Int {
        migrations.last?.version ?? 0
    }

    /// The versions recorded in the database's `schema_migrations` (empty for a new database).
    public func appliedVersions(in database: Database) throws(MigrationError) -> [Int] {
        do {
            return try Self.readAppliedVersions(database)
        } catch {
            throw .failed(version: nil, error)
        }
    }

    private static func readAppliedVersions(_ database: Database) throws(SQLiteError) -> [Int] {
        let exists = try database.prepare(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        guard try exists.step() != nil else { return [] }
        var versions: [Int] = []
        try database.prepare("SELECT version FROM schema_migrations ORDER BY version")
            .forEachRow { row in versions.append(row.int(0)) }
        return versions
    }

    /// The migrations `migrate` would apply, in order (for `--dry-run`); throws if the
    /// database is newer than this binary. Works on a read-only connection.
    public func pendingMigrations(in database: Database) throws(MigrationError) -> [Migration] {
        let applied = try appliedVersions(in: database)
        if let highest = applied.last, highest > knownVersion {
            throw .databaseNewer(databaseVersion: highest, knownVersion: knownVersion)
        }
        let done = Set(applied)
        return migrations.filter { !done.contains($0.version) }
    }

    /// Applies every pending migration; returns the ones applied.
    @discardableResult
    public func migrate(_ database: Database) throws(MigrationError) -> [Migration] {
        let pending = try pendingMigrations(in: database)
        var applied: [Migration] = []
        for migration in pending {
            do {
                try database.inTransaction(.immediate) { () throws(SQLiteError) in
                    // Another process may have migrated since `pendingMigrations` looked.
                    if try Self.readAppliedVersions(database).contains(migration.version) {
                        return .rollback
                    }
                    try database.execute(migration.sql)
                    let record = try database.prepare(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
                    try record.bind([migration.version, migration.name, Self.now()])
                    try record.run()
                    applied.append(migration)
                    return .commit
                }
            } catch {
                throw .failed(version: migration.version, error)
            }
        }
        return applied
    }

    private static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
