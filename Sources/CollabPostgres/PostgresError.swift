/// Everything a `PostgresConnection` call can fail with.
public enum PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server refused the statement or the login (its ErrorResponse, with SQLSTATE and
    /// fields). After a non-fatal error the connection stays usable.
    case server(PostgresDiagnostic)
    /// The TCP connection could not be opened (resolution or connect failed).
    case connectFailed(String)
    /// The connection broke. Work in flight has an unknown outcome: it may or may not have
    /// committed. `diagnostic` is a FATAL message the server sent just before, if any.
    case connectionLost(reason: String, diagnostic: PostgresDiagnostic?)
    /// The connection was closed (by `close()` or an earlier failure) before this call.
    case connectionClosed
    /// The server sent something the protocol does not allow here.
    case protocolViolation(String)
    /// The server asked for an authentication method this client does not implement.
    case unsupportedAuthentication(String)
    /// The server's proof did not verify (SCRAM), or the exchange was malformed.
    case authenticationFailed(String)
    /// `sslmode=require` but the server does not speak TLS, or the TLS handshake failed.
    case tls(String)
    /// The caller's input cannot be sent (e.g. a NUL byte in SQL, too many parameters).
    case invalidArgument(String)

    /// The SQLSTATE when the server refused the statement or login.
    public var sqlState: PostgresSQLState? {
        if case .server(let diagnostic) = self { return diagnostic.code }
        return nil
    }

    public var description: String {
        switch self {
        case .server(let diagnostic): return "PostgreSQL: \(diagnostic)"
        case .connectFailed(let reason): return "cannot connect to PostgreSQL: \(reason)"
        case .connectionLost(let reason, let diagnostic):
            return "PostgreSQL connection lost: \(reason)" + (diagnostic.map { " (\($0))" } ?? "")
        case .connectionClosed: return "PostgreSQL connection is closed"
        case .protocolViolation(let reason): return "PostgreSQL protocol violation: \(reason)"
        case .unsupportedAuthentication(let method): return "unsupported PostgreSQL authentication: \(method)"
        case .authenticationFailed(let reason): return "PostgreSQL authentication failed: \(reason)"
        case .tls(let reason): return "PostgreSQL TLS: \(reason)"
        case .invalidArgument(let reason): return "invalid PostgreSQL request: \(reason)"
        }
    }
}
