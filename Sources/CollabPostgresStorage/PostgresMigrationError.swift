import CollabPostgres

/// Why PostgreSQL's schema could not be brought up to date.
public enum PostgresMigrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The database was migrated by a newer collab; this binary must not touch it.
    case databaseNewer(databaseVersion: Int, knownVersion: Int)
    /// A migration (or reading the applied versions, `version` nil) failed; the transaction was
    /// rolled back, so nothing of this run was kept.
    case failed(version: Int?, PostgresError)
    /// `schema_migrations` holds something that is not a version number.
    case unreadableVersion(String?)

    public var description: String {
        switch self {
        case .databaseNewer(let databaseVersion, let knownVersion):
            "database schema version \(databaseVersion) is newer than this collab (knows up to \(knownVersion)); upgrade collab"
        case .failed(let version?, let error):
            "PostgreSQL migration \(version) failed: \(error)"
        case .failed(nil, let error):
            "reading PostgreSQL's schema version failed: \(error)"
        case .unreadableVersion(let text):
            "schema_migrations holds an unreadable version: \(text ?? "NULL")"
        }
    }
}
