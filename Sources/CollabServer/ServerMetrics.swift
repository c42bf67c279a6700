import CollabStorage
import Synchronization

/// Counters and gauges for `/metrics`, updated from any loop and the storage thread.
final class ServerMetrics: Sendable {
    /// Upper bounds of the commit latency histogram, in seconds.
    static let latencyBuckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    /// Upper bounds of the group-commit size histogram, in requests per commit.
    static let groupSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    /// The node's name (`--node-id`, default `HOST:PORT`), set once the port is bound.
    let node = Mutex<String>("")
    let openConnections = Atomic<Int>(0)
    /// Appends that met versions another writer stored (then caught up and retried).
    let versionConflicts = Atomic<Int>(0)
    /// Another writer's ops taken in by a room polling the stored version.
    let headPollCatchUps = Atomic<Int>(0)
    let roomsLoaded = Atomic<Int>(0)
    /// 1 while subscribed to Redis (`--pubsub`), else 0.
    let pubsubUp = Atomic<Int>(0)
    /// Commit notices published, received, and messages ignored as not ours or malformed.
    let pubsubOut = Atomic<Int>(0)
    let pubsubIn = Atomic<Int>(0)
    let pubsubInvalid = Atomic<Int>(0)
    /// The PostgreSQL writer's idle probes: one round trip each, seconds.
    let databaseRoundTrip = MetricHistogram(bounds: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5])
    /// From a commit notice's publication to its receipt, seconds on the cluster's clock.
    let pubsubLag = MetricHistogram(bounds: ServerMetrics.latencyBuckets)
    /// Notices of another node's commits that found a room here behind.
    let noticeCatchUps = Atomic<Int>(0)
    /// Times a room took in ops that notices carried (no database read).
    let noticeRecordsTaken = Atomic<Int>(0)
    /// Times a room read what notices left out (a gap waited for, then read).
    let noticeGapReads = Atomic<Int>(0)
    /// 1 while the database answers (the writer's latest commit or probe).
    let databaseUp = Atomic<Int>(1)
    /// PostgreSQL writer: groups written again (lost connection, isolation), lost commits found
    /// committed after reconnecting, requests failed by a version conflict, the clock offset.
    let databaseRetries = Atomic<Int>(0)
    let databaseRecoveredCommits = Atomic<Int>(0)
    let databaseConflictedRequests = Atomic<Int>(0)
    let databaseClockOffset = Atomic<Int>(0)
    let joins = Atomic<Int>(0)
    let messagesIn = Atomic<Int>(0)
    let bytesIn = Atomic<Int>(0)
    let messagesOut = Atomic<Int>(0)
    let bytesOut = Atomic<Int>(0)
    let commits = Atomic<Int>(0)
    let opsCommitted = Atomic<Int>(0)
    let commitRequests = Atomic<Int>(0)
    let commitDuration = MetricHistogram(bounds: ServerMetrics.latencyBuckets)
    let commitGroupSize = MetricHistogram(bounds: ServerMetrics.groupSizeBuckets)
    /// `error` messages sent to clients, by `code`.
    let errors = LabeledCounter(initialLabels: [
        ErrorCode.badMessage, .badOp, .opInFlight, .forbidden, .tooLarge, .rateLimited, .versionAhead,
        .versionGone, .notJoined, .internal,
    ].map(\.rawValue))
    /// WebSocket closes, by close code.
    let closes = LabeledCounter()
    /// Upgrade requests refused before the upgrade, by HTTP status.
    let rejectedHandshakes = LabeledCounter()

    /// Records one group commit (called by the writer after each transaction).
    func record(_ report: CommitReport) {
        commits.add(1, ordering: .relaxed)
        opsCommitted.add(report.ops, ordering: .relaxed)
        commitRequests.add(report.requests, ordering: .relaxed)
        let components = report.duration.components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        commitDuration.observe(seconds)
        commitGroupSize.observe(Double(report.requests))
    }

    /// The Prometheus text exposition (version 0.0.4).
    func exposition() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: borrowing Atomic<Int>) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value.load(ordering: .relaxed))\n"
        }
        // Prometheus label values escape backslash, quote and line feed.
        var nodeLabel = ""
        for character in node.withLock({ $0 }) {
            switch character {
            case "\\": nodeLabel += "\\\\"
            case "\"": nodeLabel += "\\\""
            case "\n": nodeLabel += "\\n"
            default: nodeLabel.append(character)
            }
        }
        out += "# HELP collab_node_info This node's name (--node-id).\n# TYPE collab_node_info gauge\n"
            + "collab_node_info{node=\"\(nodeLabel)\"} 1\n"
        metric("collab_connections_open", "gauge", "Open WebSocket connections.", openConnections)
        metric("collab_rooms_loaded", "gauge", "Documents loaded in memory.", roomsLoaded)
        metric("collab_joins_total", "counter", "Successful joins.", joins)
        metric("collab_messages_received_total", "counter", "WebSocket messages received.", messagesIn)
        metric("collab_bytes_received_total", "counter", "WebSocket message bytes received.", bytesIn)
        metric("collab_messages_sent_total", "counter", "WebSocket messages queued to clients.", messagesOut)
        metric("collab_bytes_sent_total", "counter", "WebSocket frame bytes queued to clients.", bytesOut)
        metric("collab_ops_committed_total", "counter", "Ops made durable.", opsCommitted)
        metric("collab_commits_total", "counter", "Group commits (transactions; one WAL fsync serves one or more).", commits)
        metric("collab_commit_requests_total", "counter", "Append and snapshot requests committed.", commitRequests)
        metric("collab_version_conflicts_total", "counter",
               "Appends that met versions another writer stored; the room caught up and retried.", versionConflicts)
        metric("collab_head_catch_ups_total", "counter",
               "Times a room took in another writer's ops found by polling the stored version.", headPollCatchUps)
        metric("collab_database_up", "gauge", "1 while the database answers the writer's commits and probes.", databaseUp)
        metric("collab_database_retries_total", "counter", "PostgreSQL: groups written again after a lost connection or a refused statement.", databaseRetries)
        metric("collab_database_recovered_commits_total", "counter", "PostgreSQL: commits whose outcome was unknown (connection lost) found committed after reconnecting.", databaseRecoveredCommits)
        metric("collab_database_conflicted_requests_total", "counter", "PostgreSQL: append requests failed because another node took the version first.", databaseConflictedRequests)
        metric("collab_database_clock_offset_milliseconds", "gauge", "PostgreSQL's clock minus this node's (ops are stamped with PostgreSQL's time).", databaseClockOffset)
        metric("collab_pubsub_up", "gauge", "1 while subscribed to Redis for commit notices (--pubsub).", pubsubUp)
        metric("collab_pubsub_messages_sent_total", "counter", "Commit notices published to the other nodes.", pubsubOut)
        metric("collab_pubsub_messages_received_total", "counter", "Commit notices received (this node's own included).", pubsubIn)
        metric("collab_pubsub_messages_ignored_total", "counter", "Pub/sub messages ignored as malformed or of another format.", pubsubInvalid)
        metric("collab_notice_catch_ups_total", "counter", "Notices of another node's commits that found a room here behind.", noticeCatchUps)
        metric("collab_notice_records_taken_total", "counter", "Times a room took in ops that other nodes' notices carried (no database read).", noticeRecordsTaken)
        metric("collab_notice_gap_reads_total", "counter", "Times a room read from the database ops that notices left out (a lost notice, or one too large to carry them), after waiting 10 ms for them.", noticeGapReads)
        databaseRoundTrip.append(to: &out, name: "collab_database_round_trip_seconds",
                                 help: "PostgreSQL: one query's round trip, measured by the writer's idle probes (about once a second).")
        pubsubLag.append(to: &out, name: "collab_pubsub_lag_seconds",
                         help: "From another node's commit notice being published to its receipt here (PostgreSQL's clock on both ends).")
        commitDuration.append(to: &out, name: "collab_commit_duration_seconds",
                              help: "Time to write one group commit's transaction (its WAL fsync follows, overlapped with the next).")
        commitGroupSize.append(to: &out, name: "collab_commit_group_size",
                               help: "Append and snapshot requests per group commit.")
        errors.append(to: &out, name: "collab_errors_total", label: "code", help: "Error messages sent to clients, by code.")
        closes.append(to: &out, name: "collab_closes_total", label: "code", help: "WebSocket connections closed, by close code.")
        rejectedHandshakes.append(to: &out, name: "collab_handshakes_rejected_total", label: "status",
                                  help: "WebSocket upgrade requests refused before the upgrade, by HTTP status.")
        return out
    }
}
