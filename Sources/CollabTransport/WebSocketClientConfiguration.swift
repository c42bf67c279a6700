/// Settings of a WebSocket client connection.
public struct WebSocketClientConfiguration: Sendable {
    /// Subprotocols to offer, most preferred first (e.g. `["collab.v1"]`).
    public var subprotocols: [String] = []
    /// Extra request headers, e.g. `Authorization: Bearer <token>` or `Origin`.
    public var extraHeaders = HTTPHeaders()
    /// How a `wss` client checks the server certificate (default: the system trust store).
    public var tlsVerification: TLSConfiguration.PeerVerification = .systemTrustStore
    /// A ready TLS client context to share between many connections; overrides `tlsVerification`.
    public var tlsContext: TLSContext?
    /// Limit for the TCP connect (per resolved address; default 10 s).
    public var connectTimeout: Duration = .seconds(10)
    /// Limit from TCP connected to the 101 response (TLS included; default 10 s).
    public var handshakeTimeout: Duration = .seconds(10)
    /// Message size limit, ping interval and close timeout.
    public var webSocket = WebSocketConfiguration()
    /// Whether to send pings every `webSocket.pingInterval` and close a server silent for two
    /// intervals (default true; load generators holding thousands of idle sockets turn it off).
    public var sendsPings = true
    /// Buffer sizes and write watermarks of the underlying connection.
    public var connection = ConnectionConfiguration()

    /// Default settings.
    public init() {}
}
