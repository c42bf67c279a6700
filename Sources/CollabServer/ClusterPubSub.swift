import CollabRedis
import CollabStorage
import Dispatch
import Foundation
import Synchronization

/// The nodes of a cluster talking over Redis pub/sub (`--pubsub`): commit notices and presence.
///
/// After each commit a node publishes, per document, the version it reached; a node hosting
/// that document reads the ops it lacks from the database (the room's catch-up). Presence goes
/// the same way: each participant's presence, its leave, and every few seconds each node's
/// roster per document, so a node that dies has its participants expire. Pub/sub is
/// at-most-once and Redis may be away: rooms also poll the stored head every
/// `RoomConfiguration.headPollInterval`, so correctness never depends on a message arriving.
final class ClusterPubSub: Sendable {
    /// A message from another node.
    struct Received: Sendable {
        var node: String
        var doc: String
        var message: ClusterMessage
    }

    /// The blocking publishing connection, touched only on `queue`.
    private final class Publisher: @unchecked Sendable {
        // Unchecked: every access is on the serial `queue` of its `ClusterPubSub`.
        let url: RedisURL
        var connection: RedisConnection?
        var lastFailure: ContinuousClock.Instant?

        init(url: RedisURL, connection: RedisConnection) {
            self.url = url
            self.connection = connection
        }
    }

    /// This node's name, shared with the subscriber's handler (set after binding).
    private final class NodeName: Sendable {
        let value = Mutex<String>("")
    }

    private let publisher: Publisher
    private let queue = DispatchQueue(label: "collab.pubsub-publish")
    /// What waits to be published (gathered while a publish is running): records committed, by
    /// document, and other messages in the order given.
    private let pending = Mutex<Pending>(Pending())
    private struct Pending {
        var records: [String: [CollabStorage.OpRecord]] = [:]
        var messages: [(message: ClusterMessage, doc: String)] = []
        /// A flush is queued.
        var scheduled = false
    }
    /// Past this many bytes of op JSON a notice goes without its records (receivers read them).
    static let maxRecordBytes = 64 * 1024
    private let subscriber: RedisSubscriber
    private let nodeName = NodeName()
    private let clusterClock = ClusterClock()
    private let metrics: ServerMetrics

    /// Connects (failing at once if Redis cannot be reached or refuses the login) and starts
    /// the subscriber; `onMessage` runs on the subscriber's thread for each other node's message.
    init(url: RedisURL, metrics: ServerMetrics, log: @escaping @Sendable (String) -> Void,
         onMessage: @escaping @Sendable (Received) -> Void) throws(RedisError) {
        let connection = try RedisConnection(url: url, timeout: .seconds(2))
        try connection.ping()
        publisher = Publisher(url: url, connection: connection)
        self.metrics = metrics
        let nodeName = self.nodeName
        let clusterClock = self.clusterClock
        metrics.pubsubUp.store(1, ordering: .relaxed)
        subscriber = RedisSubscriber(url: url, handlers: .init(
            onMessage: { channel, payload in
                guard let (node, doc, message) = ClusterMessage.parse(channel: channel, payload: payload) else {
                    metrics.pubsubInvalid.add(1, ordering: .relaxed)
                    log("ignored a pub/sub message on \(channel.prefix(200)): not a collab cluster message of format \(ClusterMessage.format)")
                    return
                }
                metrics.pubsubIn.add(1, ordering: .relaxed)
                guard node != nodeName.value.withLock({ $0 }) else { return }
                if case .committed(_, let at?, _) = message {
                    metrics.pubsubLag.observe(max(0, Double(clusterClock.now() - at)) / 1000)
                }
                onMessage(Received(node: node, doc: doc, message: message))
            },
            onStateChange: { isUp, reason in
                metrics.pubsubUp.store(isUp ? 1 : 0, ordering: .relaxed)
                if !isUp { log("Redis pub/sub lost (\(reason ?? "closed")); polling the database until it returns") }
            }))
    }

    /// Names this node in its messages (set once the port is bound).
    func setNodeId(_ id: String) {
        nodeName.value.withLock { $0 = id }
    }

    /// Uses `offset` (ms to add to the local clock: PostgreSQL's minus ours) for the time in
    /// commit notices and the lag measured on receipt.
    func setClockOffset(_ offset: @escaping @Sendable () -> Int64) {
        clusterClock.setOffset(offset)
    }

    /// Listens to `doc`'s channel (its room is loaded here).
    func follow(_ doc: String) {
        subscriber.subscribe([ClusterMessage.channel(doc)])
    }

    /// Stops listening to `doc` (its room was unloaded).
    func unfollow(_ doc: String) {
        subscriber.unsubscribe([ClusterMessage.channel(doc)])
    }

    /// Announces that `records` are committed (called on the writer's thread: only queues;
    /// several commits of a document waiting together go out as one notice of the latest).
    func announce(_ records: [CollabStorage.OpRecord]) {
        enqueue { pending in
            for record in records { pending.records[record.doc, default: []].append(record) }
        }
    }

    /// Publishes `message` about `doc` (queued; dropped while Redis is away).
    func publish(_ message: ClusterMessage, doc: String) {
        enqueue { $0.messages.append((message, doc)) }
    }

    /// Adds to what waits and, unless a flush is already queued, queues one: everything that
    /// gathered by then goes to Redis in one round trip.
    private func enqueue(_ add: (inout Pending) -> Void) {
        let schedule = pending.withLock { pending -> Bool in
            add(&pending)
            defer { pending.scheduled = true }
            return !pending.scheduled
        }
        guard schedule else { return }
        queue.async { [self] in flush() }
    }

    private func flush() {
        let taken = pending.withLock { pending -> Pending in
            defer { pending = Pending() }
            return pending
        }
        // Commit notices first (a presence may refer to a version they announce), one per
        // document, then the other messages in order.
        var messages: [(message: ClusterMessage, doc: String)] = []
        for (doc, records) in taken.records.sorted(by: { $0.key < $1.key }) {
            guard let last = records.last else { continue }
            let bytes = records.reduce(0) { $0 + $1.opJSON.utf8.count + $1.deletedJSON.utf8.count }
            let carried = bytes <= Self.maxRecordBytes ? records : []
            messages.append((.committed(version: last.version + 1, at: clusterClock.now(), records: carried), doc))
        }
        messages += taken.messages
        guard !messages.isEmpty, let connection = publisherConnection() else { return }
        do {
            let node = nodeName.value.withLock { $0 }
            _ = try connection.publish(messages.map { (ClusterMessage.channel($0.doc), $0.message.payload(node: node, doc: $0.doc)) })
            metrics.pubsubOut.add(messages.count, ordering: .relaxed)
        } catch {
            // Dropped: at-most-once; head polling and rosters make up for it.
            publisher.connection?.close()
            publisher.connection = nil
            publisher.lastFailure = .now
        }
    }

    /// The publishing connection, reconnecting at most once a second while Redis is away.
    private func publisherConnection() -> RedisConnection? {
        if let connection = publisher.connection { return connection }
        if let last = publisher.lastFailure, ContinuousClock.now - last < .seconds(1) { return nil }
        do {
            let connection = try RedisConnection(url: publisher.url, timeout: .seconds(2))
            publisher.connection = connection
            return connection
        } catch {
            publisher.lastFailure = .now
            return nil
        }
    }

    /// Stops the subscriber and closes the connections.
    func close() {
        subscriber.close()
        queue.sync {
            publisher.connection?.close()
            publisher.connection = nil
        }
    }
}
