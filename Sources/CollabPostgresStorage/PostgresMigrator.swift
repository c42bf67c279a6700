import CollabPostgres
import CollabStorage
import Foundation

/// Applies the PostgreSQL migrations (Migrations/postgres/*.sql) and records each in
/// `schema_migrations`.
///
/// Everything runs in one transaction holding `pg_advisory_xact_lock(lockKey)`: nodes starting
/// together queue on the lock, and each reads the applied versions only once it holds it, so
/// the first applies the pending migrations and the others find nothing to do. PostgreSQL's DDL
/// is transactional, so a failing migration leaves nothing of the run behind. A database whose
/// highest version is above the highest one known here is refused untouched.
public struct PostgresMigrator: Sendable {
    /// The advisory lock key the migrators of every collab node agree on ("collab" in ASCII).
    public static let lockKey: Int64 = 0x636F_6C6C_6162

    /// The migrations, in version order.
    public let migrations: [Migration]

    /// A migrator for `migrations` (sorted by version here).
    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The migrator for the PostgreSQL schema embedded in this binary.
    public static let embedded = PostgresMigrator(migrations: Migration.embeddedPostgres)

    /// The highest version this migrator knows (0 if none).
    public var knownVersion: Int {
        migrations.last?.version ?? 0
    }

    /// The versions recorded in `schema_migrations`, ascending (empty for a new database).
    public func appliedVersions(on connection: PostgresConnection) throws(PostgresMigrationError) -> [Int] {
        do {
            return try Self.readAppliedVersions(connection)
        } catch let error as PostgresMigrationError {
            throw error
        } catch {
            throw .failed(version: nil, error as? PostgresError ?? .invalidArgument("\(error)"))
        }
    }

    /// Applies every pending migration; returns the ones applied (empty if none were pending).
    /// The connection must not be inside a transaction block.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws(PostgresMigrationError) -> [Migration] {
        var current: Int?
        do {
            try connection.query("BEGIN")
            try connection.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(Self.lockKey)])
            let applied = try Self.readAppliedVersions(connection)
            if let highest = applied.last, highest > knownVersion {
                throw PostgresMigrationError.databaseNewer(databaseVersion: highest, knownVersion: knownVersion)
            }
            let done = Set(applied)
            let pending = migrations.filter { !done.contains($0.version) }
            for migration in pending {
                current = migration.version
                _ = try connection.simpleQuery(migration.sql)
                try connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1::int, $2, $3::bigint)",
                    [String(migration.version), migration.name, String(Self.now())])
            }
            try connection.query("COMMIT")
            return pending
        } catch {
            // ROLLBACK also releases the advisory lock (it is transaction-scoped).
            if connection.transactionStatus != .idle { _ = try? connection.query("ROLLBACK") }
            if let error = error as? PostgresMigrationError { throw error }
            throw .failed(version: current, error as? PostgresError ?? .invalidArgument("\(error)"))
        }
    }

    private static func readAppliedVersions(_ connection: PostgresConnection) throws -> [Int] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard exists.rows.first?.first == "t" else { return [] }
        let rows = try connection.query("SELECT version FROM schema_migrations ORDER BY version").rows
        return try rows.map { row in
            guard let text = row.first ?? nil, let version = Int(text) else {
                throw PostgresMigrationError.unreadableVersion(row.first ?? nil)
            }
            return version
        }
    }

    private static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
