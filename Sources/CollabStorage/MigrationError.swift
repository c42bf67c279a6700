/// Why the schema could not be brought up to date.
public enum MigrationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The database was migrated by a newer collab; this binary must not touch it.
    case databaseNewer(databaseVersion: Int, knownVersion: Int)
    /// A migration or the bookkeeping around it failed; nothing of that migration was kept.
    case failed(version: Int?, SQLiteError)

    public var description: String {
        switch self {
        case .databaseNewer(let databaseVersion, let knownVersion):
            "database schema version \(databaseVersion) is newer than this collab (knows up to \(knownVersion)); upgrade collab"
        case .failed(let version?, let error):
            "migration \(version) failed: \(error)"
        case .failed(nil, let error):
            "reading the schema version failed: \(error)"
        }
    }
}
