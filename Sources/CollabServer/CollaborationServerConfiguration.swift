import CollabAuth
import CollabTransport

/// Everything `collab serve` can set, with its defaults.
public struct CollaborationServerConfiguration: Sendable {
    /// The address to listen on. Default 127.0.0.1.
    public var host = "127.0.0.1"
    /// The TCP port; 0 picks a free one. Default 8080.
    public var port = 8080
    /// The SQLite database file, created and migrated if needed.
    public var databasePath: String
    /// Serves wss:// and https:// when set.
    public var tls: TLSContext?
    /// The token-signing secret; nil runs open (every connection an anonymous editor).
    public var authSecret: JWTSecret?
    /// Browser origins allowed to connect; empty allows any.
    public var allowedOrigins: [String] = []
    /// Event-loop threads. Default one per core.
    public var threads = EventLoopGroup.defaultLoopCount
    /// Largest client message; a larger one closes with 1009. Default 1 MiB.
    public var maxMessageBytes = 1 << 20
    /// WebSocket ping interval (a silent peer is closed after two). Default 30 s.
    public var pingInterval: Duration = .seconds(30)
    /// A room is unloaded this long after its last connection closes. Default 60 s.
    public var roomIdleTime: Duration = .seconds(60)
    /// Longest wait at shutdown for commits in flight and close handshakes. Default 10 s.
    public var shutdownGracePeriod: Duration = .seconds(10)
    /// Room limits (document size, snapshot interval, join timeout, rate limits...).
    public var room = RoomConfiguration()
    /// Where the server reports problems (storage failures); one line per call.
    public var log: @Sendable (String) -> Void = { _ in }

    /// The defaults, with the database at `databasePath`.
    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// Whether the server runs without authentication.
    public var isOpenMode: Bool { authSecret == nil }
}
