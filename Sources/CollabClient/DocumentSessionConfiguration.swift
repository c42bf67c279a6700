import CollabTransport

/// Settings of a `DocumentSession`.
public struct DocumentSessionConfiguration: Sendable {
    /// The document's URL, `ws://host:port/v1/docs/{docId}` or `wss://...`.
    public var url: String
    /// The same document on the other nodes of a cluster without a load balancer
    /// (`ws://node-2:8080/v1/docs/{docId}`, ...): after a failed connection or a lost one the
    /// session tries the next URL in turn, `url` first. The saved state file stays tied to `url`.
    public var alternateURLs: [String] = []
    /// The JWT, or nil for a server in open mode.
    public var token: String?
    /// Where the token goes (default: the `Authorization` header).
    public var tokenPlacement: TokenPlacement = .authorizationHeader
    /// Called when the token was refused or expired (HTTP 401, close 4401): a new token, or nil
    /// to stop with `.unauthorized`.
    public var tokenProvider: (@Sendable () async -> String?)?
    /// This editing session's id (default: a new random one); reused on every reconnect.
    public var clientId: String = ClientID.make()
    /// Display hints sent with `join`.
    public var user: UserHints?
    /// Reconnect delays.
    public var backoff = BackoffPolicy()
    /// Least time between two presence messages (latest selection wins; default 50 ms, ≤ 20/s).
    public var presenceInterval: Duration = .milliseconds(50)
    /// Wait before resending an op the server answered `rate_limited` or `op_in_flight` to.
    public var resubmitDelay: Duration = .seconds(1)
    /// WebSocket settings (TLS trust, timeouts, extra headers); `collab.v1` is always offered.
    public var webSocket = WebSocketClientConfiguration()
    /// A uniform random number in `0..<1` for backoff jitter (injectable for tests).
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    /// A file to keep unacknowledged edits in across restarts (nil: memory only). A session
    /// started on an existing file takes its clientId, version, text and pending edits from it
    /// (the configured `clientId` is then unused) and sends those edits once joined, exactly once.
    public var stateFilePath: String?
    /// Local edits closer together than this, and touching, form one undo step (default 500 ms).
    public var undoGrouping: Duration = .milliseconds(500)
    /// The most undo (and redo) steps kept; older ones are forgotten.
    public var undoLimit = 500
    /// The current time, for undo grouping (injectable for tests).
    public var now: @Sendable () -> ContinuousClock.Instant = { .now }
    /// Sleeps for a duration; throws when cancelled (injectable for tests).
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    /// A configuration for `url` with `token`.
    public init(url: String, token: String? = nil) {
        self.url = url
        self.token = token
    }
}
