import CollabBenchmarks
import CollabCLI
import CollabTransport

/// `collab bench ws`: load any RFC 6455 echo server and report throughput, latency or memory.
enum BenchWSCommand {
    static let spec = CommandSpec(
        name: "ws",
        abstract: "Measure the WebSocket layer's throughput and latency.",
        discussion: """
            Loads any RFC 6455 echo server given by --url (ours or another), with the same \
            event loops and client as the server uses. Scenarios: 'echo' keeps --window text \
            messages in flight on each of --connections connections and reports round trips \
            per second and latency percentiles; 'idle' opens --connections connections, holds \
            them and reports the server's resident memory per connection (needs --server-pid); \
            'broadcast' needs a server that relays every message to every client \
            (collab-echo --broadcast) and reports deliveries per second from one sender to \
            --connections receivers. Each scenario runs --runs times; the median is reported.
            """,
        options: [
            .option("--url", value: "url", help: "The echo server (ws:// or wss://).",
                    defaultValue: "ws://127.0.0.1:9001/"),
            .option("--scenario", value: "name", kind: .choice(["echo", "idle", "broadcast"]),
                    help: "The load to apply.", defaultValue: "echo"),
            .option("--connections", value: "count", kind: .integer(1...1_000_000),
                    help: "Connections (receivers for broadcast).",
                    defaultDescription: "100 for echo, 10000 for idle, 1000 for broadcast"),
            .option("--duration", value: "duration", kind: .duration,
                    help: "Measured time per run, after one second of warm-up.", defaultValue: "10s"),
            .option("--message-size", value: "bytes", kind: .integer(0...1_048_576),
                    help: "Text message size.", defaultValue: "32"),
            .option("--window", value: "count", kind: .integer(1...100_000),
                    help: "Messages in flight per connection (for broadcast: from the sender).",
                    defaultDescription: "64 for echo, 16 for broadcast"),
            .option("--runs", value: "count", kind: .integer(1...100),
                    help: "How many runs; the median is reported.", defaultValue: "3"),
            .option("--loops", value: "count", kind: .integer(1...256),
                    help: "Client event loops.", defaultDescription: "one per core"),
            .option("--server-pid", value: "pid", kind: .positiveInteger,
                    help: "The server's process id, to read its memory from /proc (idle)."),
            .option("--ca-file", value: "path", help: "PEM CA certificates to trust for wss:// URLs."),
            .flag("--insecure", help: "Accept any certificate for wss:// URLs (self-signed test servers)."),
        ],
        examples: [
            CommandExample("Echo throughput and latency of a local server.",
                           "collab bench ws --url ws://127.0.0.1:9001/ --duration 5s"),
            CommandExample("Server memory per idle connection.",
                           "collab bench ws --scenario idle --server-pid 4242"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        let url = arguments.string("--url") ?? "ws://127.0.0.1:9001/"
        guard let parsed = WebSocketClientURL(url) else {
            throw context.usageError("'\(url)' is not a ws:// or wss:// URL.")
        }
        let scenario = WSBenchmark.Scenario(rawValue: arguments.string("--scenario") ?? "echo") ?? .echo
        var client = WebSocketClientConfiguration()
        // Load generators hold many sockets: no heartbeat timers, small read buffers.
        client.sendsPings = false
        client.connectTimeout = .seconds(20)
        client.handshakeTimeout = .seconds(30)
        client.connection.readBufferSize = scenario == .idle ? 4096 : 16 * 1024
        if parsed.isSecure {
            let verification: TLSConfiguration.PeerVerification
            if arguments.flag("--insecure") {
                verification = .none
            } else if let file = arguments.string("--ca-file") {
                verification = .certificateAuthorityFile(file)
            } else {
                verification = .systemTrustStore
            }
            do {
                client.tlsContext = try TLSContext(configuration: .client(verification: verification))
            } catch {
                throw context.failure("cannot set up TLS: \(error)")
            }
        }
        let defaultConnections = switch scenario {
        case .echo: 100
        case .idle: 10_000
        case .broadcast: 1_000
        }
        let settings = WSBenchmark.Settings(
            url: parsed.description, scenario: scenario,
            connections: arguments.int("--connections") ?? defaultConnections,
            duration: arguments.duration("--duration") ?? .seconds(10),
            messageSize: arguments.int("--message-size") ?? 32,
            window: arguments.int("--window") ?? (scenario == .broadcast ? 16 : 64),
            runs: arguments.int("--runs") ?? 3,
            loops: arguments.int("--loops") ?? EventLoopGroup.defaultLoopCount,
            serverPID: arguments.int("--server-pid"),
            client: client)
        return WSBenchmark.run(settings, output: context.output)
    }
}
