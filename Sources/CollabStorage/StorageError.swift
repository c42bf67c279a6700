/// Why a store operation failed.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The client already stored `seq` or a higher one on the document (a resubmission);
    /// the whole append was rolled back.
    case duplicate(doc: String, clientId: String, seq: Int)
    /// A record's version is not the document's next one (versions are gap-free); nothing was stored.
    case versionConflict(doc: String, expected: Int, found: Int)
    /// The database's schema is not the one this binary knows (`migrate` it, or upgrade collab).
    case migration(MigrationError)
    /// A read-only store found a database whose schema still needs migrations.
    case schemaOutdated(databaseVersion: Int, knownVersion: Int)
    /// The writer has been closed.
    case closed
    /// A named version with this name already exists on the document.
    case nameTaken(doc: String, name: String)
    /// SQLite failed (I/O, disk full, corruption, ...).
    case sqlite(SQLiteError)
    /// A database server (PostgreSQL) failed or could not be reached: its SQLSTATE, if it sent
    /// one, and what went wrong. The outcome of a write in flight when the connection broke is unknown.
    case database(code: String?, message: String)

    public var description: String {
        switch self {
        case .duplicate(let doc, let clientId, let seq):
            "client \(clientId) already stored seq \(seq) or a higher one for document \(doc)"
        case .versionConflict(let doc, let expected, let found):
            "document \(doc) is at version \(expected), not \(found)"
        case .migration(let error):
            error.description
        case .schemaOutdated(let databaseVersion, let knownVersion):
            "database schema version \(databaseVersion) is older than this collab's (\(knownVersion)); start the server once to migrate it"
        case .closed:
            "the storage writer is closed"
        case .nameTaken(let doc, let name):
            "document \(doc) already has a version named '\(name)'"
        case .sqlite(let error):
            error.description
        case .database(_, let message):
            message
        }
    }
}
