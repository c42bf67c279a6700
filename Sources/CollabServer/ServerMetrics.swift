import CollabStorage
import Synchronization

/// Counters and gauges for `/metrics`, updated from any loop and the storage thread.
final class ServerMetrics: Sendable {
    /// Upper bounds of the commit latency histogram, in seconds.
    static let latencyBuckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    let openConnections = Atomic<Int>(0)
    let roomsLoaded = Atomic<Int>(0)
    let joins = Atomic<Int>(0)
    let messagesIn = Atomic<Int>(0)
    let bytesIn = Atomic<Int>(0)
    let commits = Atomic<Int>(0)
    let opsCommitted = Atomic<Int>(0)
    let commitRequests = Atomic<Int>(0)
    let commitNanoseconds = Atomic<Int>(0)
    /// Cumulative counts per `latencyBuckets` bound (the last one is +Inf).
    private let latencyCounts = Mutex([Int](repeating: 0, count: ServerMetrics.latencyBuckets.count + 1))

    /// Records one group commit (called by the writer after each transaction).
    func record(_ report: CommitReport) {
        commits.add(1, ordering: .relaxed)
        opsCommitted.add(report.ops, ordering: .relaxed)
        commitRequests.add(report.requests, ordering: .relaxed)
        let components = report.duration.components
        let nanoseconds = Int(components.seconds) * 1_000_000_000 + Int(components.attoseconds / 1_000_000_000)
        commitNanoseconds.add(nanoseconds, ordering: .relaxed)
        let seconds = Double(nanoseconds) / 1e9
        let index = Self.latencyBuckets.firstIndex { seconds <= $0 } ?? Self.latencyBuckets.count
        latencyCounts.withLock { $0[index] += 1 }
    }

    /// The Prometheus text exposition.
    func exposition() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("collab_connections_open", "gauge", "Open WebSocket connections.", openConnections.load(ordering: .relaxed))
        metric("collab_rooms_loaded", "gauge", "Documents loaded in memory.", roomsLoaded.load(ordering: .relaxed))
        metric("collab_joins_total", "counter", "Successful joins.", joins.load(ordering: .relaxed))
        metric("collab_messages_received_total", "counter", "WebSocket messages received.", messagesIn.load(ordering: .relaxed))
        metric("collab_bytes_received_total", "counter", "WebSocket message bytes received.", bytesIn.load(ordering: .relaxed))
        metric("collab_ops_committed_total", "counter", "Ops made durable.", opsCommitted.load(ordering: .relaxed))
        metric("collab_commit_requests_total", "counter", "Append and snapshot requests committed.",
               commitRequests.load(ordering: .relaxed))
        let counts = latencyCounts.withLock { $0 }
        let commitCount = counts.reduce(0, +)
        out += "# HELP collab_commit_duration_seconds Time of one group commit (one fsync).\n"
        out += "# TYPE collab_commit_duration_seconds histogram\n"
        var cumulative = 0
        for (index, bound) in Self.latencyBuckets.enumerated() {
            cumulative += counts[index]
            out += "collab_commit_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "collab_commit_duration_seconds_bucket{le=\"+Inf\"} \(commitCount)\n"
        out += "collab_commit_duration_seconds_sum \(Double(commitNanoseconds.load(ordering: .relaxed)) / 1e9)\n"
        out += "collab_commit_duration_seconds_count \(commitCount)\n"
        let requests = commitRequests.load(ordering: .relaxed)
        out += "# HELP collab_commit_group_size_average Requests per group commit, on average.\n"
        out += "# TYPE collab_commit_group_size_average gauge\n"
        out += "collab_commit_group_size_average \(commitCount == 0 ? 0 : Double(requests) / Double(commitCount))\n"
        return out
    }
}
