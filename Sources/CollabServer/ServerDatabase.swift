import CollabPostgres
import CollabPostgresStorage
import CollabStorage

/// Where a server keeps its op log: an embedded SQLite file (one node), or PostgreSQL shared by
/// every node of a cluster.
public enum ServerDatabase: Sendable, Hashable {
    /// A SQLite database file, created and migrated if needed.
    case sqlite(path: String)
    /// A PostgreSQL database, migrated at start under an advisory lock.
    case postgres(PostgresConfiguration)

    /// A connection for one report off the loops (the caller closes it with `close(_:)`).
    func openForReading() throws(StorageError) -> any HistoryStore {
        switch self {
        case .sqlite(let path): return try SQLiteOpStore.openForReading(path: path)
        case .postgres(let configuration): return try Self.connect(configuration)
        }
    }

    /// A connection that may write (names, compaction, purge) off the loops.
    func openForWriting() throws(StorageError) -> any HistoryStore {
        switch self {
        case .sqlite(let path): return try SQLiteOpStore.openForWriting(path: path)
        case .postgres(let configuration): return try Self.connect(configuration)
        }
    }

    /// Ends a store's session now (SQLite's closes when released).
    static func close(_ store: any HistoryStore) {
        (store as? PostgresOpStore)?.close()
    }

    private static func connect(_ configuration: PostgresConfiguration) throws(StorageError) -> PostgresOpStore {
        do {
            return PostgresOpStore(connection: try PostgresConnection.connect(configuration))
        } catch {
            throw PostgresOpStore.storageError(error)
        }
    }
}
