import CollabAuth
import CollabCLI
import CollabJSON
import CollabPostgres
import CollabRedis
import CollabServer
import CollabTransport
import Dispatch
import Foundation

/// `collab serve`: runs the collaboration server.
enum ServeCommand {
    static let spec = CommandSpec(
        name: "serve",
        abstract: "Run the collaboration server.",
        discussion: """
            Serves editing sessions over WebSocket (subprotocol collab.v1) at \
            /v1/docs/{docId}, and /healthz, /metrics and the document API over HTTP, \
            all on one port. An operation is acknowledged only once it is stored in the \
            database.

            Clients authenticate with HS256 tokens (see 'collab token') signed with the \
            secret from COLLAB_AUTH_SECRET or --auth-secret-file. With no secret the server \
            runs open, every connection an anonymous editor, and only on a loopback \
            address unless --insecure-open is given.
            """,
        options: [
            .option("--host", value: "address",
                    help: "The address to listen on; 0.0.0.0 listens on every interface.",
                    defaultValue: "127.0.0.1", environment: "COLLAB_HOST"),
            .option("--port", value: "port", kind: .integer(0...65_535),
                    help: "The TCP port to listen on; 0 picks a free one.",
                    defaultValue: "8080", environment: "COLLAB_PORT"),
            .option("--db", value: "path-or-url",
                    help: "The SQLite database file, or a PostgreSQL database shared by several nodes: postgres://USER:PASSWORD@HOST:PORT/DBNAME (also postgresql://; add ?sslmode=require for TLS).",
                    defaultValue: "./collab.sqlite", environment: "COLLAB_DB"),
            .option("--pubsub", value: "url",
                    help: "redis://[:PASSWORD@]HOST:PORT[/DB]: tell the other nodes of a cluster about each commit over Redis pub/sub, so their editors see it at once (without it they poll the database every second).",
                    environment: "COLLAB_PUBSUB"),
            .option("--tls-cert", value: "path",
                    help: "A PEM certificate chain; serves wss:// and https:// instead of ws:// and http://.",
                    environment: "COLLAB_TLS_CERT"),
            .option("--tls-key", value: "path",
                    help: "The PEM private key of --tls-cert.",
                    environment: "COLLAB_TLS_KEY"),
            CollabCommand.authSecretFileOption,
            .repeatable("--allowed-origin", value: "origin",
                        help: "Accept browser connections only from this origin, such as https://notes.example.com; others get 403. Without it any origin is accepted.",
                        environment: "COLLAB_ALLOWED_ORIGINS"),
            .flag("--insecure-open",
                  help: "Allow open mode (no secret) on a non-loopback address.",
                  environment: "COLLAB_INSECURE_OPEN"),
            .option("--log-format", value: "format", kind: .choice(["text", "json"]),
                    help: "How log lines look on standard error; json writes one object per line.",
                    defaultValue: "text", environment: "COLLAB_LOG_FORMAT"),
            .option("--log-level", value: "level",
                    kind: .choice(["debug", "info", "warning", "error"]),
                    help: "The least severe messages to log.",
                    defaultValue: "info", environment: "COLLAB_LOG_LEVEL"),
            .option("--threads", value: "count", kind: .integer(1...256),
                    help: "The number of event-loop threads.",
                    defaultDescription: "one per core", environment: "COLLAB_THREADS"),
            .option("--max-message-bytes", value: "bytes", kind: .integer(1_024...67_108_864),
                    help: "The largest message a client may send; a larger one closes the connection with 1009.",
                    defaultValue: "1048576", environment: "COLLAB_MAX_MESSAGE_BYTES"),
            .option("--max-document-bytes", value: "bytes", kind: .integer(1_024...1_073_741_824),
                    help: "The largest a document's text may grow; an operation that would pass it is refused with too_large.",
                    defaultValue: "16777216", environment: "COLLAB_MAX_DOCUMENT_BYTES"),
            .option("--snapshot-interval", value: "ops", kind: .integer(1...1_000_000),
                    help: "Store a snapshot of a document's text every this many operations.",
                    defaultValue: "1000", environment: "COLLAB_SNAPSHOT_INTERVAL"),
            .option("--max-outstanding-appends", value: "count", kind: .integer(1...64),
                    help: "Most op-log appends one document keeps in flight at once (pipelined group commits); 1 waits for each commit before handing over the next batch.",
                    defaultValue: "4", environment: "COLLAB_MAX_OUTSTANDING_APPENDS"),
            .option("--commit-delay-ms", value: "milliseconds", kind: .integer(0...100),
                    help: "While ops arrive faster than one per this many milliseconds, a commit waits up to this long for more to share its fsync (group commit); 0 commits each op as soon as the writer is free.",
                    defaultValue: "2", environment: "COLLAB_COMMIT_DELAY_MS"),
            .option("--room-idle-seconds", value: "seconds", kind: .integer(0...86_400),
                    help: "Unload a document from memory this long after its last client leaves.",
                    defaultValue: "60", environment: "COLLAB_ROOM_IDLE_SECONDS"),
            .option("--max-connections", value: "count", kind: .nonNegativeInteger,
                    help: "Most open WebSockets in all; more get HTTP 503 before the upgrade. 0: no limit.",
                    defaultValue: "10000", environment: "COLLAB_MAX_CONNECTIONS"),
            .option("--max-connections-per-user", value: "count", kind: .nonNegativeInteger,
                    help: "Most open WebSockets of one user (token sub); more get HTTP 503. 0: no limit.",
                    defaultValue: "5", environment: "COLLAB_MAX_CONNECTIONS_PER_USER"),
            .option("--max-connections-per-address", value: "count", kind: .nonNegativeInteger,
                    help: "Most open WebSockets from one IP address; more get HTTP 503. Behind a proxy, name it with --trusted-proxy so each client counts by its own address.",
                    defaultValue: "50", environment: "COLLAB_MAX_CONNECTIONS_PER_ADDRESS"),
            .option("--node-id", value: "name", help: "This node's name in logs and metrics.",
                    defaultDescription: "HOST:PORT", environment: "COLLAB_NODE_ID"),
            .repeatable("--trusted-proxy", value: "cidr",
                        help: "A load balancer's address or range (10.0.0.0/8, ::1): from such a peer the client's address is taken from X-Forwarded-For, for the per-address cap and the logs."),
            .option("--ops-per-second", value: "rate", kind: .integer(1...1_000_000),
                    help: "Operations a connection may send per second, sustained; more are refused with rate_limited.",
                    defaultValue: "100", environment: "COLLAB_OPS_PER_SECOND"),
            .option("--op-burst", value: "count", kind: .integer(1...1_000_000),
                    help: "Operations a connection may send in a burst above --ops-per-second.",
                    defaultValue: "200", environment: "COLLAB_OP_BURST"),
            .option("--presence-per-second", value: "rate", kind: .integer(1...1_000_000),
                    help: "Presence messages a connection may send per second, sustained; more are refused with rate_limited.",
                    defaultValue: "60", environment: "COLLAB_PRESENCE_PER_SECOND"),
            .option("--presence-burst", value: "count", kind: .integer(1...1_000_000),
                    help: "Presence messages a connection may send in a burst above --presence-per-second.",
                    defaultValue: "120", environment: "COLLAB_PRESENCE_BURST"),
            .option("--send-queue-bytes", value: "bytes", kind: .integer(65_536...Int.max),
                    help: "Bytes queued to one slow client before it is closed with 1013; must hold a snapshot of the largest document, JSON-escaped.",
                    defaultDescription: "48 MiB, or 6 × --max-document-bytes + 64 KiB if larger",
                    environment: "COLLAB_SEND_QUEUE_BYTES"),
            .option("--handshake-timeout", value: "duration", kind: .duration,
                    help: "Time a client has to complete its HTTP request or WebSocket handshake.",
                    defaultValue: "10s", environment: "COLLAB_HANDSHAKE_TIMEOUT"),
            .option("--join-timeout", value: "duration", kind: .duration,
                    help: "Time a WebSocket has to send its join; then it is closed with 4408.",
                    defaultValue: "10s", environment: "COLLAB_JOIN_TIMEOUT"),
            .option("--ping-interval", value: "duration", kind: .duration,
                    help: "How often the server pings each WebSocket; one silent (no pong, no message) for two intervals is closed (idle timeout).",
                    defaultValue: "30s", environment: "COLLAB_PING_INTERVAL"),
            .flag("--metrics-open",
                  help: "Serve /metrics without a token, for a scraper on a private network (otherwise it needs an admin token).",
                  environment: "COLLAB_METRICS_OPEN"),
        ],
        constraints: [.together(["--tls-cert", "--tls-key"])],
        examples: [
            CommandExample("Serve locally in open mode, for development:",
                           "collab serve"),
            CommandExample("One node of a cluster on PostgreSQL and Redis:",
                           "collab serve --host 0.0.0.0 --port 8081 --db postgres://collab:secret@db:5432/collab --pubsub redis://cache:6379 --node-id a"),
            CommandExample("Serve on every interface over TLS, for browsers from one site:",
                           "collab serve --host 0.0.0.0 --port 443 --tls-cert cert.pem --tls-key key.pem --allowed-origin https://notes.example.com"),
        ],
        environment: [
            EnvironmentNote("COLLAB_AUTH_SECRET",
                            help: "The token-signing secret, when --auth-secret-file is not given."),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        let host = arguments.string("--host") ?? "127.0.0.1"
        let databaseText = arguments.string("--db") ?? "./collab.sqlite"
        var postgres: PostgresURL?
        do {
            if case .postgres(let url) = try DatabaseLocation(databaseText) { postgres = url }
        } catch {
            throw context.failure("invalid value for '--db': \(error).")
        }
        let databasePath = postgres?.redacted ?? absolutePath(databaseText)
        var pubsub: RedisURL?
        if let text = arguments.string("--pubsub") {
            do {
                pubsub = try RedisURL(text)
            } catch {
                throw context.failure("invalid value for '--pubsub': \(error).")
            }
        }
        let secret: JWTSecret?
        do {
            secret = try JWTSecret.configured(secretFile: arguments.string("--auth-secret-file"),
                                              environment: context.environment)
        } catch {
            throw context.failure("\(error)")
        }
        if secret == nil && !isLoopback(host) && !arguments.flag("--insecure-open") {
            throw context.usageError(
                "no auth secret is configured, so the server would run open (no authentication) on \(host); "
                + "set COLLAB_AUTH_SECRET or --auth-secret-file, listen on a loopback address, or pass --insecure-open")
        }
        let logger = ServeLogger(json: arguments.string("--log-format") == "json",
                                 level: ServerLogEvent.Level(name: arguments.string("--log-level") ?? "info") ?? .info)

        var configuration = CollaborationServerConfiguration(databasePath: databasePath)
        configuration.postgres = postgres?.configuration
        configuration.pubsub = pubsub
        configuration.host = host
        configuration.port = arguments.int("--port") ?? 8080
        configuration.authSecret = secret
        configuration.allowedOrigins = arguments.strings("--allowed-origin")
        if let threads = arguments.int("--threads") { configuration.threads = threads }
        if let bytes = arguments.int("--max-message-bytes") { configuration.maxMessageBytes = bytes }
        if let bytes = arguments.int("--max-document-bytes") {
            configuration.room.maxDocumentBytes = bytes
            // A snapshot is one message: the send queue must hold the largest, JSON-escaped.
            configuration.room.maxQueuedBytes = max(configuration.room.maxQueuedBytes, bytes * 6 + 65_536)
        }
        if let ops = arguments.int("--snapshot-interval") { configuration.room.snapshotInterval = ops }
        if let count = arguments.int("--max-outstanding-appends") { configuration.room.maxOutstandingAppends = count }
        if let milliseconds = arguments.int("--commit-delay-ms") { configuration.commitDelay = .milliseconds(milliseconds) }
        if let seconds = arguments.int("--room-idle-seconds") { configuration.roomIdleTime = .seconds(seconds) }
        if let count = arguments.int("--max-connections") { configuration.maxConnections = count }
        if let count = arguments.int("--max-connections-per-user") { configuration.maxConnectionsPerUser = count }
        if let count = arguments.int("--max-connections-per-address") { configuration.maxConnectionsPerAddress = count }
        configuration.nodeId = arguments.string("--node-id").flatMap { $0.isEmpty ? nil : $0 }
        do {
            configuration.trustedProxies = try TrustedProxies(cidrs: arguments.strings("--trusted-proxy"))
        } catch {
            throw context.usageError("invalid value for '--trusted-proxy': \(error).")
        }
        if let rate = arguments.int("--ops-per-second") { configuration.room.opsPerSecond = Double(rate) }
        if let burst = arguments.int("--op-burst") { configuration.room.opBurst = Double(burst) }
        if let rate = arguments.int("--presence-per-second") { configuration.room.presencePerSecond = Double(rate) }
        if let burst = arguments.int("--presence-burst") { configuration.room.presenceBurst = Double(burst) }
        if let bytes = arguments.int("--send-queue-bytes") { configuration.room.maxQueuedBytes = bytes }
        for (option, minimum) in [("--handshake-timeout", 1), ("--join-timeout", 1), ("--ping-interval", 1)] {
            if let duration = arguments.duration(option), duration < .seconds(minimum) {
                throw context.usageError("\(option) must be at least \(minimum)s")
            }
        }
        if let timeout = arguments.duration("--handshake-timeout") { configuration.handshakeTimeout = timeout }
        if let timeout = arguments.duration("--join-timeout") { configuration.room.joinTimeout = timeout }
        if let interval = arguments.duration("--ping-interval") { configuration.pingInterval = interval }
        configuration.metricsOpen = arguments.flag("--metrics-open")
        configuration.logLevel = logger.level
        configuration.logEvent = { logger.log($0) }
        if let certificate = arguments.string("--tls-cert"), let key = arguments.string("--tls-key") {
            do {
                configuration.tls = try TLSContext(configuration: .server(certificateChainFile: certificate,
                                                                          privateKeyFile: key))
            } catch {
                throw context.failure("cannot load the TLS certificate and key: \(error)")
            }
        }

        // Signals are taken as events before the server starts, so none is lost in between.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stop = DispatchSemaphore(value: 0)
        let signalQueue = DispatchQueue(label: "collab.signals")
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }

        let server: CollaborationServer
        do {
            server = try CollaborationServer(configuration: configuration)
        } catch {
            throw context.failure(startFailure(error, databasePath: databasePath))
        }
        let secure = configuration.tls != nil
        let address = server.localAddress
        let hostText = address.family == AF_INET6 ? "[\(address.host)]" : address.host
        let authority = "\(hostText):\(address.port)"
        logger.operator(ServerLogEvent(
            .info, "start", "listening on \(secure ? "wss" : "ws")://\(authority) "
                + "(\(secure ? "https" : "http")://\(authority)/), data in \(databasePath)",
            fields: [("address", .string(authority)), ("node", .string(server.nodeId)), ("tls", .bool(secure)),
                     ("db", .string(databasePath)),
                     ("auth", .string(secret == nil ? "open" : "jwt")), ("metrics_open", .bool(configuration.metricsOpen))]))
        if secret == nil {
            logger.operator(ServerLogEvent(
                .warning, "open_mode", "WARNING: OPEN MODE: no auth secret configured (COLLAB_AUTH_SECRET or "
                    + "--auth-secret-file): anyone who can reach this port can read and edit every document"))
        }

        stop.wait()
        let stopping = ContinuousClock.now
        logger.operator(ServerLogEvent(.info, "stopping", "shutting down: finishing commits in flight, closing connections"))
        server.shutdown()
        for source in sources { source.cancel() }
        let took = (ContinuousClock.now - stopping).components
        logger.operator(ServerLogEvent(.info, "stop", "stopped", fields: [
            ("duration_ms", .integer(Int(took.seconds) * 1000 + Int(took.attoseconds / 1_000_000_000_000_000)))]))
        return ExitStatus.success
    }

    /// A clear reason the server did not start.
    static func startFailure(_ error: CollaborationServerError, databasePath: String) -> String {
        switch error {
        case .storage(.migration(.databaseNewer(let databaseVersion, let knownVersion))):
            "the database \(databasePath) has schema version \(databaseVersion), newer than this collab "
                + "knows (\(knownVersion)); upgrade collab to serve it"
        case .storage(let storageError):
            "cannot open the database \(databasePath): \(storageError)"
        case .pubsub(let reason):
            "cannot reach Redis for --pubsub: \(reason)"
        case .network(let ioError):
            "cannot listen: \(ioError)"
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func absolutePath(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath,
                                                              isDirectory: true))
        return url.standardizedFileURL.path
    }
}
