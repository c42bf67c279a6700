/// Limits and intervals of a room and its sessions, with the contract's defaults.
public struct RoomConfiguration: Sendable {
    /// Largest document in UTF-8 bytes; an op whose result is larger is `too_large`. Default 16 MiB.
    public var maxDocumentBytes = 16 * 1024 * 1024
    /// A snapshot is handed to the store every this many ops. Default 1,000.
    public var snapshotInterval = 1_000
    /// Durable ops kept in memory for transforms and catch-up; older ones are read
    /// from the store. Default 2,000.
    public var recentOpsWindow = 2_000
    /// A joiner further behind than this many ops gets a snapshot instead of a replay. Default 10,000.
    public var maxCatchUpOps = 10_000
    /// At most this many records per catch-up `ops` message. Default 1,000.
    public var catchUpChunkRecords = 1_000
    /// At most about this many bytes per catch-up `ops` message (one record may exceed it). Default 256 KiB.
    public var catchUpChunkBytes = 256 * 1024
    /// Most appends a room has outstanding at once (pipelined, completed in order): with
    /// more than one, an op applied during a commit goes into the next commit instead of
    /// waiting for this one to end. 1 batches everything applied during a commit. Default 4.
    public var maxOutstandingAppends = 4
    /// How often a room with editors looks at the version the store holds, to take in another
    /// writer's ops (a second node on the database, an operator's import); nil: never.
    public var headPollInterval: Duration? = .seconds(1)
    /// Version conflicts in a row (each met, caught up and retried) before the room gives up:
    /// its clients get 1011 and resubmit. Default 8; on a database shared by several nodes 64,
    /// since editors of one document on two nodes race for every version and the node that
    /// just caught up starts each race a round trip behind.
    public var maxConsecutiveCatchUps = 8
    /// Sustained ops per second per connection. Default 100.
    public var opsPerSecond: Double = 100
    /// Burst of ops per connection. Default 200.
    public var opBurst: Double = 200
    /// Sustained presence messages per second per connection (over it: `rate_limited`). Default 60 (a cursor dragged at display refresh rate).
    public var presencePerSecond: Double = 60
    /// Burst of presence messages per connection. Default 120.
    public var presenceBurst: Double = 120
    /// Closes with 4429 after this many `rate_limited` answers within `rateLimitStrikeWindow`. Default 20.
    public var rateLimitStrikes = 20
    /// See `rateLimitStrikes`. Default 60 s.
    public var rateLimitStrikeWindow: Duration = .seconds(60)
    /// Closes with 1008 after this many `bad_message`/`bad_op` answers within `badMessageWindow`. Default 20.
    public var badMessageLimit = 20
    /// See `badMessageLimit`. Default 60 s.
    public var badMessageWindow: Duration = .seconds(60)
    /// Closes with 4408 if no valid `join` arrives in this time. Default 10 s.
    public var joinTimeout: Duration = .seconds(10)
    /// Least time between two presence broadcasts of one client (≤ 20/s; the latest is
    /// always sent within this time, under the contract's 100 ms). Default 50 ms.
    public var presenceInterval: Duration = .milliseconds(50)
    /// Closes with 1013 a connection with more than this many bytes queued. Must exceed
    /// `maxDocumentBytes` (JSON-escaped), since a snapshot is one message. Default 48 MiB.
    public var maxQueuedBytes = 48 * 1024 * 1024

    /// The defaults.
    public init() {}
}
