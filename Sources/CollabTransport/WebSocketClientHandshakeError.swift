/// Why the client side of the opening handshake failed.
public enum WebSocketClientHandshakeError: Error, Sendable, Hashable {
    /// A header name or value given to the request contains CR, LF or NUL (header injection).
    case invalidRequestHeader(String)
    /// The server answered with a status other than 101.
    case unexpectedStatus(Int)
    /// No `Upgrade: websocket` in the response.
    case missingUpgrade
    /// No `Connection: Upgrade` in the response.
    case missingConnectionUpgrade
    /// `Sec-WebSocket-Accept` missing or not the hash of our key.
    case invalidAccept
    /// The server picked a subprotocol we did not offer (or several).
    case unexpectedSubprotocol(String)
    /// The server enabled an extension; we offer none.
    case unexpectedExtension(String)
}
