/// Why a session stopped reconnecting.
public enum SessionStopReason: Sendable, Hashable {
    /// The application called `disconnect()`.
    case disconnected
    /// Another connection with the same clientId took over (close 4000), e.g. another tab.
    case replaced
    /// The token was refused (HTTP 401 or close 4401) and no new one was available.
    case unauthorized(String)
    /// The token is valid but not for this document (HTTP 403).
    case forbidden(String)
    /// The server refused in a way retrying cannot fix (bad URL, 400, 404, ...).
    case refused(String)
}
