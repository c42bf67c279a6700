import CollabStorage
import CollabTransport

/// Why the server could not start.
public enum CollaborationServerError: Error, Sendable, CustomStringConvertible {
    /// The database could not be opened or migrated (e.g. a newer schema).
    case storage(StorageError)
    /// The event loops could not start or the address could not be bound.
    case network(IOError)
    /// Redis (`--pubsub`) could not be reached or refused the login.
    case pubsub(String)

    public var description: String {
        switch self {
        case .storage(let error): "database: \(error)"
        case .network(let error): "\(error)"
        case .pubsub(let reason): "pubsub: \(reason)"
        }
    }
}
