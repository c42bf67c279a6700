/// The server said something this client cannot make sense of: a malformed message, or one
/// that does not fit the state (a version gap, an op that does not apply). The session answers
/// by dropping the connection; the document is then reloaded where it can no longer be trusted.
public struct ClientProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Whether the local copy diverged from the server's (a remote op did not apply), so
    /// rejoining from the same version cannot help: the document must be reloaded.
    public var requiresReload: Bool

    /// An error saying `message`.
    public init(_ message: String, requiresReload: Bool = false) {
        self.message = message
        self.requiresReload = requiresReload
    }

    public var description: String { "protocol error: \(message)" }
}
