/// Why a `postgres://` URL was refused. Messages never include the password.
public enum PostgresURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not `postgres://` or `postgresql://`.
    case unsupportedScheme(String)
    /// No host between '@' (or "//") and the port or path.
    case missingHost
    /// No user before '@'.
    case missingUser
    /// The port is not a number in 1...65535.
    case invalidPort(String)
    /// A '%' not followed by two hex digits, or bytes that are not UTF-8.
    case invalidPercentEncoding(component: String)
    /// A query parameter this client does not know, or a value it does not accept.
    case unsupportedParameter(String)
    /// Something else out of place (e.g. a bracketed IPv6 host left open).
    case malformed(String)

    public var description: String {
        switch self {
        case .unsupportedScheme(let scheme):
            return "unsupported scheme '\(scheme)': expected postgres://USER:PASSWORD@HOST:PORT/DBNAME"
        case .missingHost: return "the PostgreSQL URL has no host"
        case .missingUser: return "the PostgreSQL URL has no user (postgres://USER:PASSWORD@HOST...)"
        case .invalidPort(let port): return "invalid port '\(port)' in the PostgreSQL URL (expected 1-65535)"
        case .invalidPercentEncoding(let component): return "bad percent-encoding in the URL's \(component)"
        case .unsupportedParameter(let parameter):
            return "unsupported URL parameter '\(parameter)' (supported: sslmode=disable|require)"
        case .malformed(let reason): return "malformed PostgreSQL URL: \(reason)"
        }
    }
}
