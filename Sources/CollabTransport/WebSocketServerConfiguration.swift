/// Settings of a WebSocket server: the HTTP side (timeouts, TLS, listener) and each
/// upgraded connection's protocol and back-pressure limits.
public struct WebSocketServerConfiguration: Sendable {
    /// Message size limit, ping interval and close timeout of every connection.
    public var webSocket = WebSocketConfiguration()
    /// Queued outbound bytes above which the delegate hears `webSocketSendQueueOverflowed`
    /// (default 32 MiB). Must exceed the largest single message the server sends.
    public var sendQueueLimit = 32 * 1024 * 1024
    /// Subprotocols offered in the handshake, most preferred first (default `collab.v1`).
    public var subprotocols = ["collab.v1"]
    /// The HTTP server underneath: request (and so handshake) timeout, parser limits,
    /// listener, watermarks and `tls` for wss://.
    public var http = HTTPServerConfiguration()

    /// Default settings.
    public init() {}
}
