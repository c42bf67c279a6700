import CollabTransport

/// Why a Redis call failed.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The connection could not be made, or broke: what was in flight has an unknown outcome.
    case connection(IOError)
    /// No answer within the timeout (the connection is closed: its stream is out of step).
    case timedOut
    /// The connection was closed (by `close()` or by the server).
    case closed
    /// The server sent bytes that are not RESP.
    case protocolViolation(RESPError)
    /// The server refused the command: `-ERR ...`, `-NOAUTH ...`, `-WRONGPASS ...`.
    case server(String)
    /// An answer of a shape the command does not have.
    case unexpectedReply(RESPValue)

    public var description: String {
        switch self {
        case .connection(let error): "redis connection: \(error)"
        case .timedOut: "redis did not answer in time"
        case .closed: "the redis connection is closed"
        case .protocolViolation(let error): "redis: \(error)"
        case .server(let message): "redis: \(message)"
        case .unexpectedReply(let value): "redis: unexpected reply \(value)"
        }
    }
}
