import CollabAuth
import CollabPostgres
import CollabRedis
import CollabTransport

/// Everything `collab serve` can set, with its defaults.
public struct CollaborationServerConfiguration: Sendable {
    /// The address to listen on. Default 127.0.0.1.
    public var host = "127.0.0.1"
    /// The TCP port; 0 picks a free one. Default 8080.
    public var port = 8080
    /// The SQLite database file, created and migrated if needed (unless `postgres` is set).
    public var databasePath: String
    /// The PostgreSQL database shared by the nodes of a cluster; nil: SQLite at `databasePath`.
    public var postgres: PostgresConfiguration?
    /// Redis for fan-out between nodes (commit notices); nil: nodes notice each other's commits
    /// by polling the database (`room.headPollInterval`).
    public var pubsub: RedisURL?
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
    /// Time a client has to complete its HTTP request (and so the upgrade handshake); the
    /// connection is closed after it. Default 10 s.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Most open WebSockets in all; more are refused with 503 before the upgrade. 0: no limit. Default 10,000.
    public var maxConnections = 10_000
    /// Most open WebSockets of one token `sub` (not applied in open mode); more get 503. 0: no limit. Default 5.
    public var maxConnectionsPerUser = 5
    /// Most open WebSockets from one remote IP address; more get 503. 0: no limit. Default 50.
    /// Behind a reverse proxy every client shares the proxy's address: raise it or set 0.
    public var maxConnectionsPerAddress = 50
    /// This node's name in logs and metrics; nil: `HOST:PORT` as bound.
    public var nodeId: String?
    /// Proxies whose `X-Forwarded-For` names the client (for the per-address cap and logs).
    public var trustedProxies = TrustedProxies()
    /// Serves `/metrics` without a token (for a scraper on a private network). Default false.
    public var metricsOpen = false
    /// How long a commit may wait for more ops to share its fsync while ops arrive faster than
    /// that (see `GroupCommitWriter.Configuration.commitDelay`). Default 2 ms; zero never waits.
    public var commitDelay: Duration = .milliseconds(2)
    /// Room limits (document size, snapshot interval, join timeout, rate limits...).
    public var room = RoomConfiguration()
    /// Where the server reports problems (storage failures); one line per call. Also reported
    /// to `logEvent` as an `error` event.
    public var log: @Sendable (String) -> Void = { _ in }
    /// Where the server reports structured events (connect, disconnect, refused, error...).
    public var logEvent: @Sendable (ServerLogEvent) -> Void = { _ in }
    /// The least severe event worth building (per-message `debug` events cost time). Default info.
    public var logLevel: ServerLogEvent.Level = .info

    /// The defaults, with the database at `databasePath`.
    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// Where the op log is.
    public var database: ServerDatabase {
        postgres.map { .postgres($0) } ?? .sqlite(path: databasePath)
    }

    /// Whether the server runs without authentication.
    public var isOpenMode: Bool { authSecret == nil }
}
