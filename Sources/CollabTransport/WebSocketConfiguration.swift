/// Tunables of one WebSocket connection, with the collab.v1 defaults.
public struct WebSocketConfiguration: Sendable, Hashable {
    /// Largest message accepted from the peer, summed over its fragments (default 1 MiB).
    /// Anything larger fails the connection with 1009 as soon as a frame header announces it.
    public var maxMessageSize: Int
    /// How often a ping is sent (default 30 s). A peer silent for two intervals is closed with 1001.
    public var pingInterval: Duration
    /// How long to wait for the peer's close frame (or, as a client, for the server to close
    /// TCP) after the close handshake started, before closing TCP anyway (default 5 s).
    public var closeTimeout: Duration

    /// Creates a configuration; every argument defaults to the collab.v1 value.
    public init(maxMessageSize: Int = 1 << 20, pingInterval: Duration = .seconds(30),
                closeTimeout: Duration = .seconds(5)) {
        self.maxMessageSize = maxMessageSize
        self.pingInterval = pingInterval
        self.closeTimeout = closeTimeout
    }
}
