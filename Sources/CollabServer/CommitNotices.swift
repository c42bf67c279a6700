import CollabJSON
import CollabRedis
import CollabStorage
import Dispatch
import Foundation
import Synchronization

/// Commit notices between the nodes of a cluster, over Redis pub/sub.
///
/// After each commit a node publishes, per document, the version it reached on the channel
/// `collab:v1:doc:{id}` as `{"f":1,"node":NODE,"doc":ID,"v":VERSION}` (`f`: the format, so
/// nodes of two releases can run side by side). A node hosting that document is subscribed to
/// its channel and, on a notice from another node for a version it has not reached, reads the
/// ops it lacks from the database (the room's catch-up). Notices only make propagation fast:
/// pub/sub is at-most-once and Redis may be away, so rooms also poll the stored head every
/// `RoomConfiguration.headPollInterval`, and correctness never depends on a notice arriving.
final class CommitNotices: Sendable {
    /// The message format this release writes and reads.
    static let format = 1

    /// The channel of `doc`.
    static func channel(_ doc: String) -> String { "collab:v1:doc:" + doc }

    /// A notice as read from a channel.
    struct Notice: Equatable, Sendable {
        var node: String
        var doc: String
        var version: Int
    }

    /// The blocking publishing connection, touched only on `queue`.
    private final class Publisher: @unchecked Sendable {
        // Unchecked: every access is on the serial `queue` of its `CommitNotices`.
        let url: RedisURL
        var connection: RedisConnection?
        var lastFailure: ContinuousClock.Instant?

        init(url: RedisURL, connection: RedisConnection) {
            self.url = url
            self.connection = connection
        }
    }

    private let publisher: Publisher
    private let queue = DispatchQueue(label: "collab.pubsub-publish")
    /// Versions reached per document, not yet published (coalesced while a publish is running).
    private let pending = Mutex<(versions: [String: Int], scheduled: Bool)>(([:], false))
    private let subscriber: RedisSubscriber
    /// This node's name, shared with the subscriber's handler (set after binding).
    private final class NodeName: Sendable {
        let value = Mutex<String>("")
    }

    private let nodeName = NodeName()
    private let metrics: ServerMetrics
    private let log: @Sendable (String) -> Void

    /// Connects (failing at once if Redis cannot be reached or refuses the login) and starts
    /// the subscriber; `onNotice` runs on the subscriber's thread for each other node's notice.
    init(url: RedisURL, metrics: ServerMetrics, log: @escaping @Sendable (String) -> Void,
         onNotice: @escaping @Sendable (Notice) -> Void) throws(RedisError) {
        let connection = try RedisConnection(url: url, timeout: .seconds(2))
        try connection.ping()
        publisher = Publisher(url: url, connection: connection)
        self.metrics = metrics
        self.log = log
        let nodeName = self.nodeName
        metrics.pubsubUp.store(1, ordering: .relaxed)
        subscriber = RedisSubscriber(url: url, handlers: .init(
            onMessage: { channel, payload in
                guard let notice = Self.parse(channel: channel, payload: payload) else {
                    metrics.pubsubInvalid.add(1, ordering: .relaxed)
                    log("ignored a pub/sub message on \(channel.prefix(200)): not a collab commit notice")
                    return
                }
                metrics.pubsubIn.add(1, ordering: .relaxed)
                guard notice.node != nodeName.value.withLock({ $0 }) else { return }
                onNotice(notice)
            },
            onStateChange: { isUp, reason in
                metrics.pubsubUp.store(isUp ? 1 : 0, ordering: .relaxed)
                if !isUp { log("Redis pub/sub lost (\(reason ?? "closed")); polling the database until it returns") }
            }))
    }

    /// Names this node in its notices (set once the port is bound).
    func setNodeId(_ id: String) {
        nodeName.value.withLock { $0 = id }
    }

    /// Listens for notices about `doc` (its room is loaded here).
    func follow(_ doc: String) {
        subscriber.subscribe([Self.channel(doc)])
    }

    /// Stops listening for `doc` (its room was unloaded).
    func unfollow(_ doc: String) {
        subscriber.unsubscribe([Self.channel(doc)])
    }

    /// Announces that `records` are committed (called on the writer's thread: only queues).
    func announce(_ records: [CollabStorage.OpRecord]) {
        let schedule = pending.withLock { pending -> Bool in
            for record in records {
                pending.versions[record.doc] = max(pending.versions[record.doc] ?? 0, record.version + 1)
            }
            defer { pending.scheduled = true }
            return !pending.scheduled
        }
        guard schedule else { return }
        queue.async { [self] in publishPending() }
    }

    private func publishPending() {
        let versions = pending.withLock { pending in
            defer {
                pending.versions = [:]
                pending.scheduled = false
            }
            return pending.versions
        }
        let node = nodeName.value.withLock { $0 }
        for (doc, version) in versions.sorted(by: { $0.key < $1.key }) {
            let payload = JSONValue.object(JSONObject([
                ("f", .integer(Self.format)), ("node", .string(node)), ("doc", .string(doc)), ("v", .integer(version)),
            ])).jsonString
            guard let connection = publisherConnection() else { return }
            do {
                _ = try connection.publish(Self.channel(doc), Array(payload.utf8))
                metrics.pubsubOut.add(1, ordering: .relaxed)
            } catch {
                // Dropped: at-most-once, and the other nodes' head polling finds the commit.
                publisher.connection?.close()
                publisher.connection = nil
                publisher.lastFailure = .now
                return
            }
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

    /// A notice from a message, or nil if the message is not one this release understands.
    static func parse(channel: String, payload: [UInt8]) -> Notice? {
        guard channel.hasPrefix("collab:v1:doc:"),
              case .object(let object)? = try? payload.withUnsafeBytes({ try JSONReader.parse($0) }),
              case .integer(format)? = object["f"],
              case .string(let node)? = object["node"],
              case .string(let doc)? = object["doc"], channel == Self.channel(doc),
              case .integer(let version)? = object["v"], version >= 0 else { return nil }
        return Notice(node: node, doc: doc, version: version)
    }
}
