/// Settings of the HTTP/1.1 server.
public struct HTTPServerConfiguration: Sendable {
    /// Time a client has to complete a request head, from connection start and between
    /// keep-alive requests (slowloris protection; default 10 s).
    public var requestTimeout: Duration = .seconds(10)
    /// Request-head size limits.
    public var parserLimits = HTTPRequestParser.Limits()
    /// The largest request body read (JSON commands such as a restore); longer ones get 413.
    public var maxBodyLength = 64 * 1024
    /// Serve HTTPS (and so wss://) with this context; nil for plain TCP. When set it takes
    /// the place of `listener.makeTransform`. The request timeout covers the TLS handshake.
    public var tls: TLSContext?
    /// Listener and per-connection settings.
    public var listener = ListenerConfiguration()

    /// Default settings.
    public init() {}
}
