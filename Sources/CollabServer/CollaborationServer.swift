import CollabJSON
import CollabPostgresStorage
import CollabStorage
import CollabTransport
import Dispatch
import Synchronization

/// The collaboration server: WebSocket editing sessions at `/v1/docs/{docId}` and the HTTP
/// API on one port, rooms on event loops by document, one group-commit writer (SQLite, or
/// PostgreSQL shared with the other nodes of a cluster).
///
/// A connection is authorized in the handshake, then handed to the loop that owns its
/// document's room (a stable hash of the id), so a room and all its sessions share one
/// thread. Each loop reads through its own read-only SQLite connection.
public final class CollaborationServer: Sendable {
    /// The configuration it was started with.
    public let configuration: CollaborationServerConfiguration
    private let group: EventLoopGroup
    private let writer: any OpLogWriter
    private let httpServer: HTTPServer
    private let loops: [LoopBound<LoopRooms>]
    private let metrics: ServerMetrics
    private let lifecycle: ServerLifecycle
    private let cluster: ClusterPubSub?

    /// This node's name in logs and metrics (`--node-id`, default `HOST:PORT`).
    public let nodeId: String

    /// The bound address (the real port when started with port 0).
    public var localAddress: SocketAddress { httpServer.localAddress }

    /// Opens (creating and migrating) the database, starts the loops and binds.
    public init(configuration original: CollaborationServerConfiguration) throws(CollaborationServerError) {
        let configuration = Self.prepared(original)
        self.configuration = configuration
        let metrics = ServerMetrics()
        self.metrics = metrics
        // Notices reach the loops through this box, filled once the loops are up.
        let clusterTargets = Mutex<(EventLoopGroup, [LoopBound<LoopRooms>])?>(nil)
        let cluster: ClusterPubSub?
        if let url = configuration.pubsub {
            do {
                cluster = try ClusterPubSub(url: url, metrics: metrics, log: configuration.log) { received in
                    guard let (group, loops) = clusterTargets.withLock({ $0 }) else { return }
                    let rooms = loops[group.loop(for: FNV1a64.hash(received.doc)).index]
                    rooms.eventLoop.execute { rooms.value.receive(received) }
                }
            } catch {
                throw .pubsub("\(url): \(error)")
            }
        } else {
            cluster = nil
        }
        let writer: any OpLogWriter
        do {
            writer = try Self.makeWriter(configuration, metrics: metrics, cluster: cluster)
            if let postgres = writer as? PostgresCommitWriter {
                cluster?.setClockOffset { [weak postgres] in postgres?.clockOffsetMilliseconds ?? 0 }
            }
        } catch {
            cluster?.close()
            throw .storage(error)
        }
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(loopCount: configuration.threads)
        } catch {
            writer.close()
            cluster?.close()
            throw .network(error)
        }
        // Each loop opens its read connection on its own thread and keeps it there.
        let opened = Mutex<[Int: Result<LoopBound<LoopRooms>, StorageError>]>([:])
        let ready = DispatchSemaphore(value: 0)
        for loop in group.loops {
            loop.execute {
                let result: Result<LoopBound<LoopRooms>, StorageError>
                do throws(StorageError) {
                    let reader = try Self.makeReader(configuration.database)
                    let rooms = LoopRooms(loop: loop, reader: reader, writer: writer, configuration: configuration,
                                          metrics: metrics, cluster: cluster)
                    rooms.startHeadPolling()
                    rooms.startRosterAnnouncements()
                    result = .success(LoopBound(rooms, eventLoop: loop))
                } catch {
                    result = .failure(error)
                }
                opened.withLock { $0[loop.index] = result }
                ready.signal()
            }
        }
        for _ in group.loops { ready.wait() }
        var openedLoops: [LoopBound<LoopRooms>] = []
        for loop in group.loops {
            switch opened.withLock({ $0[loop.index] }) {
            case .success(let bound)?:
                openedLoops.append(bound)
            case .failure(let error)?:
                group.shutdown()
                writer.close()
                cluster?.close()
                throw .storage(error)
            case nil:
                group.shutdown()
                writer.close()
                cluster?.close()
                throw .storage(.closed)
            }
        }

        let loops = openedLoops
        clusterTargets.withLock { $0 = (group, loops) }
        let access = DocumentAccess(secret: configuration.authSecret, allowedOrigins: configuration.allowedOrigins)
        let api = DocumentHTTPAPI(access: access, loops: loops, metrics: metrics, writer: writer,
                                  metricsOpen: configuration.metricsOpen)
        let reports = DocumentReportAPI(access: access, database: configuration.database)
        let history = DocumentHistoryAPI(access: access, reports: reports, group: group, loops: loops)
        let counter = ConnectionCounter(maxTotal: configuration.maxConnections,
                                        maxPerUser: configuration.maxConnectionsPerUser,
                                        maxPerAddress: configuration.maxConnectionsPerAddress)
        let lifecycle = ServerLifecycle()
        var webSocketConfiguration = WebSocketServerConfiguration()
        webSocketConfiguration.webSocket = WebSocketConfiguration(maxMessageSize: configuration.maxMessageBytes,
                                                                  pingInterval: configuration.pingInterval)
        // The room closes slow consumers itself (1013) at its limit; the transport's must not be lower.
        webSocketConfiguration.sendQueueLimit = configuration.room.maxQueuedBytes
        webSocketConfiguration.http.tls = configuration.tls
        webSocketConfiguration.http.requestTimeout = configuration.handshakeTimeout
        let proxies = configuration.trustedProxies
        let upgrader = WebSocketUpgrader(configuration: webSocketConfiguration) { request in
            Self.decide(request, access: access, counter: counter, group: group, loops: loops, lifecycle: lifecycle,
                        proxies: proxies, writer: writer)
        }
        let logEvent = configuration.logEvent
        var router = HTTPRouter()
        router.get("/healthz") { .respond(api.health($0)) }
        router.get("/metrics") { .respond(api.metrics($0)) }
        router.get("/v1/docs") { reports.list($0) }
        // The sample browser editor (Samples/web) at / and its files.
        StaticSite.embedded.register(on: &router)
        router.get(prefix: DocumentAccess.pathPrefix) { request in
            // One path serves both: an upgrade request is a WebSocket, anything else the HTTP API.
            if request.head.headers.first("Upgrade") != nil {
                let result = upgrader.route(request)
                if case .respond(let response) = result {
                    let client = Self.clientAddress(of: request, proxies: proxies)
                    Self.recordRefusal(response, of: request,
                                       client: client == request.remoteAddress?.host ? nil : client,
                                       metrics: metrics, logEvent: logEvent)
                }
                return result
            }
            return history.route(request) ?? reports.route(request) ?? api.document(request, reports: reports)
        }
        // History actions (restore, names, compact, delete) take bodies and other methods.
        for method in ["POST", "DELETE"] {
            router.add(method, prefix: DocumentAccess.pathPrefix) { request in
                history.route(request) ?? .respond(.error(.notFound, code: "not_found", message: "no such resource"))
            }
        }
        do {
            let address = try SocketAddress(host: configuration.host, port: configuration.port)
            httpServer = try HTTPServer(group: group, address: address, router: router,
                                        configuration: webSocketConfiguration.http)
        } catch {
            group.shutdown()
            writer.close()
            cluster?.close()
            throw .network(error)
        }
        self.group = group
        self.cluster = cluster
        self.writer = writer
        self.loops = loops
        self.lifecycle = lifecycle
        let bound = httpServer.localAddress
        nodeId = configuration.nodeId ?? (bound.host.contains(":") ? "[\(bound.host)]:\(bound.port)" : "\(bound.host):\(bound.port)")
        metrics.node.withLock { [nodeId] in $0 = nodeId }
        // Two nodes may share a name (the default `0.0.0.0:8080` on two machines): a random
        // suffix keeps each one from taking the other's messages for its own.
        cluster?.setNodeId(nodeId + "/" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
    }

    /// The group-commit writer of the configured database (which it opens and migrates).
    private static func makeWriter(_ configuration: CollaborationServerConfiguration, metrics: ServerMetrics,
                                   cluster: ClusterPubSub?) throws(StorageError) -> any OpLogWriter {
        switch configuration.database {
        case .sqlite(let path):
            var writerConfiguration = GroupCommitWriter.Configuration(path: path)
            writerConfiguration.snapshotInterval = configuration.room.snapshotInterval
            writerConfiguration.commitDelay = configuration.commitDelay
            writerConfiguration.onCommit = { metrics.record($0) }
            return try GroupCommitWriter(configuration: writerConfiguration)
        case .postgres(let database):
            var writerConfiguration = PostgresCommitWriter.Configuration(database: database)
            writerConfiguration.onCommit = { metrics.record($0) }
            writerConfiguration.log = configuration.log
            writerConfiguration.onProbe = { duration in
                let (seconds, attoseconds) = duration.components
                metrics.databaseRoundTrip.observe(Double(seconds) + Double(attoseconds) / 1e18)
            }
            if let cluster {
                writerConfiguration.onStored = { cluster.announce($0) }
            }
            return try PostgresCommitWriter(configuration: writerConfiguration)
        }
    }

    /// A loop's read connection (called on the loop, which keeps it). On PostgreSQL the rooms
    /// read through the loop's background session instead, so this one connects only if used
    /// (the writer has already checked the database at start).
    private static func makeReader(_ database: ServerDatabase) throws(StorageError) -> any OpStore {
        switch database {
        case .sqlite(let path):
            return try SQLiteOpStore.openForReading(path: path)
        case .postgres(let configuration):
            return ReconnectingPostgresOpStore(configuration: configuration)
        }
    }

    /// `configuration` as the server runs it: its `log` lines also go out as structured `error`
    /// events, and on a shared database its rooms retry longer when racing another node for
    /// versions.
    private static func prepared(_ configuration: CollaborationServerConfiguration)
        -> CollaborationServerConfiguration {
        var configuration = configuration
        // A shared database: rooms racing another node for versions retry longer.
        if configuration.postgres != nil {
            configuration.room.maxConsecutiveCatchUps = max(configuration.room.maxConsecutiveCatchUps, 64)
        }
        let logLine = configuration.log, logEvent = configuration.logEvent
        configuration.log = { line in
            logLine(line)
            logEvent(ServerLogEvent(.error, "error", line))
        }
        return configuration
    }

    /// Counts and logs an upgrade request refused before the upgrade (status, path without
    /// its token, remote address, the body's reason).
    /// `client`: the address a trusted proxy forwarded, if any (else the peer's is logged).
    private static func recordRefusal(_ response: HTTPResponse, of request: HTTPRequest, client: String?,
                                      metrics: ServerMetrics,
                                      logEvent: @escaping @Sendable (ServerLogEvent) -> Void) {
        metrics.rejectedHandshakes.increment(String(response.status.code))
        var reason: String?
        if case .object(let body)? = response.body.withUnsafeBytes({ try? JSONReader.parse($0) }),
           case .string(let message)? = body["message"] {
            reason = message
        }
        logEvent(ServerLogEvent(.info, "refused", reason ?? "upgrade refused", fields: [
            ("status", .integer(response.status.code)),
            ("target", .string(ServerLogEvent.redactedTarget(request.head.target))),
            ("remote", (client ?? request.remoteAddress?.description).map { .string($0) } ?? .null),
        ]))
    }

    /// The accept hook: document id, then auth (400 → 401 → 403), then shutdown, an unreachable
    /// database and the connection caps (503), then the room's loop.
    private static func decide(_ request: WebSocketUpgradeRequest, access: DocumentAccess, counter: ConnectionCounter,
                               group: EventLoopGroup, loops: [LoopBound<LoopRooms>],
                               lifecycle: ServerLifecycle, proxies: TrustedProxies,
                               writer: any OpLogWriter) -> WebSocketUpgradeDecision {
        guard let documentId = DocumentAccess.documentId(inPath: request.head.path) else {
            return .reject(.badRequest, message: "invalid document id: 1-128 of [A-Za-z0-9._-], first alphanumeric")
        }
        let grant: DocumentAccess.Grant
        do {
            grant = try access.authorize(request.head, documentId: String(documentId))
        } catch {
            return .reject(error.response)
        }
        guard lifecycle.isRunning else {
            return .reject(.serviceUnavailable, message: "the server is shutting down")
        }
        // Nothing could be stored: better another node, or a retry, than a session that fails.
        guard writer.isHealthy else {
            return .reject(.serviceUnavailable, message: "the database is unreachable")
        }
        let clientAddress = Self.clientAddress(of: request.request, proxies: proxies)
        let slot: ConnectionSlot
        do {
            slot = try counter.reserve(user: grant.identity.sub, address: clientAddress)
        } catch {
            return .reject(error.response)
        }
        let loop = group.loop(for: FNV1a64.hash(grant.documentId))
        let rooms = loops[loop.index]
        // Taken with the slot, before the 101 leaves: the room's loop may adopt connections in
        // another order than the client opened them (see `Room.join`).
        let openOrder = slot.openOrder
        return .accept(targetLoop: loop) { webSocket in
            DocumentConnection(webSocket: webSocket, documentId: grant.documentId, identity: grant.identity,
                               deadline: grant.deadline, rooms: rooms.value, slot: slot, openOrder: openOrder,
                               forwardedFor: clientAddress == request.request.remoteAddress?.host ? nil : clientAddress)
        }
    }

    /// The client's address: the peer's, or behind a trusted proxy the one `X-Forwarded-For` names.
    static func clientAddress(of request: HTTPRequest, proxies: TrustedProxies) -> String? {
        proxies.clientAddress(peer: request.remoteAddress?.host,
                              forwardedFor: request.head.headers.values("X-Forwarded-For"))
    }

    /// Graceful shutdown: stops accepting, lets the commits in flight finish and sends their
    /// acks, closes every client with 1001, closes the writer (checkpointing the WAL) and stops
    /// the loops. Blocks until done; call from outside the loops. Safe to call more than once.
    public func shutdown() {
        guard lifecycle.beginStopping() else { return }
        httpServer.close()
        let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
        let drained = DispatchSemaphore(value: 0)
        for bound in loops {
            bound.eventLoop.execute {
                bound.value.drain(until: deadline) { drained.signal() }
            }
        }
        for _ in loops { drained.wait() }
        writer.close()
        cluster?.close()
        group.shutdown()
    }

    /// Storage counters since start (commits, group sizes).
    /// (SQLite only; zero on PostgreSQL.)
    public var storageStatistics: GroupCommitWriter.Statistics {
        (writer as? GroupCommitWriter)?.statistics ?? GroupCommitWriter.Statistics()
    }
}
