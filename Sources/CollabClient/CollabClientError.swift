/// Problems a `DocumentSession` reports on its event stream or throws from its initializer.
public enum CollabClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configured clientId is not 8–64 of `[A-Za-z0-9_-]`.
    case invalidClientId(String)
    /// A connection attempt failed (it is retried unless a `.stopped` state follows).
    case connectFailed(String)
    /// The connection closed with this code and reason.
    case connectionClosed(code: UInt16, reason: String)
    /// The server sent an `error` message.
    case server(code: String, message: String)
    /// The server rejected a local edit for good (`bad_op`, `too_large`, `forbidden`, ...).
    case editRejected(code: String, message: String)
    /// The server sent something that breaks the contract.
    case protocolViolation(String)
    /// The saved state file (`DocumentSessionConfiguration.stateFilePath`) could not be read or written.
    case savedState(SavedDocumentStateError)

    public var description: String {
        switch self {
        case .invalidClientId(let id): "invalid clientId '\(id)'"
        case .connectFailed(let message): "connect failed: \(message)"
        case .connectionClosed(let code, let reason): "connection closed with \(code)" + (reason.isEmpty ? "" : " (\(reason))")
        case .server(let code, let message): "server error \(code): \(message)"
        case .editRejected(let code, let message): "edit rejected (\(code)): \(message)"
        case .protocolViolation(let message): "protocol violation: \(message)"
        case .savedState(let error): "saved state: \(error)"
        }
    }
}
