import CollabBenchmarks
import CollabCLI
import CollabTransport

/// `collab bench server`: end-to-end load test of a running collaboration server.
enum BenchServerCommand {
    static let spec = CommandSpec(
        name: "server",
        abstract: "Load a running server with simulated editors.",
        discussion: """
            Connects simulated editors to the server at --url. Each is a complete collab.v1 \
            client: it joins, keeps one op in flight, composes what it types meanwhile, \
            transforms incoming ops over its pending ones and checks every version. Scenarios: \
            'latency' (1 document × 10 editors × 100 keystrokes/s: ack and propagation latency), \
            'throughput' (100 documents × 4 editors × 90 keystrokes/s: committed ops/s), \
            'writers' (1 document × --editors editors × 1 keystroke/s: propagation p95), \
            'coldjoin' (stores an editing trace straight into the server's database given by --db, \
            then times a new client's join of it), 'footprint' (server memory per idle connection \
            and per active room, CPU per op; needs --server-pid). With --server-pid the server's \
            CPU time and memory are read from /proc. Each scenario runs --runs times; the table \
            shows every run and the median of each column, and 'result KEY VALUE' lines follow.
            """,
        options: [
            .repeatable("--url", value: "url",
                        help: "The server (ws://host:port; default ws://127.0.0.1:8080); repeated, the nodes of a cluster, over which the editors are spread (see --route)."),
            .option("--route", value: "how", kind: .choice(["document", "editor"]),
                    help: "With several --url: all editors of a document on one node (document), or each editor on the next node (editor).",
                    defaultValue: "document"),
            .option("--scenario", value: "name", kind: .choice(ServerBenchmark.Scenario.allCases.map(\.rawValue)),
                    help: "The load to apply.", defaultValue: "latency"),
            .option("--documents", value: "count", kind: .integer(1...100_000),
                    help: "Documents edited at once.", defaultDescription: "1; 100 for throughput"),
            .option("--editors", value: "count", kind: .integer(1...100_000),
                    help: "Editors per document.", defaultDescription: "10; 4 for throughput; 200 for writers"),
            .option("--rate", value: "keystrokes", kind: .integer(0...1_000),
                    help: "Keystrokes per second per editor.",
                    defaultDescription: "100; 90 for throughput; 1 for writers"),
            .option("--duration", value: "duration", kind: .duration,
                    help: "Measured time per run (per phase for footprint).", defaultValue: "10s"),
            .option("--warmup", value: "duration", kind: .duration,
                    help: "Typing before the measured time.", defaultValue: "2s"),
            .option("--runs", value: "count", kind: .integer(1...100),
                    help: "How many runs; the median is reported.", defaultValue: "3"),
            .option("--loops", value: "count", kind: .integer(1...256),
                    help: "Client event loops.", defaultDescription: "one per core"),
            .option("--server-pid", value: "pid", kind: .positiveInteger,
                    help: "The server's process id, to read its CPU time and memory from /proc."),
            .option("--token", value: "jwt", help: "A token for every editor, if the server has a secret.",
                    environment: "COLLAB_BENCH_TOKEN"),
            .flag("--verify", help: "Editors keep the whole text and must agree on it at the end."),
            CollabCommand.databaseOption,
            .option("--trace", value: "path", help: "coldjoin: the editing trace to store.",
                    defaultDescription: "the automerge-paper trace"),
            .option("--snapshot-interval", value: "ops", kind: .integer(1...1_000_000),
                    help: "coldjoin: store a snapshot every this many ops, as the server does.", defaultValue: "1000"),
            .option("--idle", value: "count", kind: .integer(1...1_000_000),
                    help: "footprint: idle connections.", defaultValue: "2000"),
            .option("--idle-documents", value: "count", kind: .integer(1...100_000),
                    help: "footprint: documents the idle connections join (evenly).", defaultValue: "20"),
        ],
        examples: [
            CommandExample("Ack and propagation latency of a local server.",
                           "collab bench server --url ws://127.0.0.1:8080 --scenario latency --server-pid 4242"),
            CommandExample("Propagation latency with 1,000 editors on one document.",
                           "collab bench server --scenario writers --editors 1000"),
            CommandExample("Cold join of a 260k-op document.",
                           "collab bench server --scenario coldjoin --db /tmp/collab.sqlite"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        var urls = arguments.strings("--url")
        if urls.isEmpty { urls = ["ws://127.0.0.1:8080"] }
        for index in urls.indices {
            while urls[index].hasSuffix("/") { urls[index].removeLast() }
            guard WebSocketClientURL(urls[index] + "/") != nil else {
                throw context.usageError("'\(urls[index])' is not a ws:// or wss:// URL.")
            }
        }
        let url = urls[0]
        let scenario = ServerBenchmark.Scenario(rawValue: arguments.string("--scenario") ?? "latency") ?? .latency
        var client = WebSocketClientConfiguration()
        // Many sockets per loop: no heartbeat timers, modest read buffers; server messages may
        // be as large as a snapshot of the largest document.
        client.sendsPings = false
        client.connectTimeout = .seconds(30)
        client.handshakeTimeout = .seconds(30)
        client.connection.readBufferSize = 16 * 1024
        client.webSocket.maxMessageSize = 64 << 20
        let documents, editors, rate: Int
        switch scenario {
        case .latency, .coldjoin, .footprint: (documents, editors, rate) = (1, 10, 100)
        case .throughput: (documents, editors, rate) = (100, 4, 90)
        case .writers: (documents, editors, rate) = (1, 200, 1)
        }
        var settings = ServerBenchmark.Settings(
            url: url, token: arguments.string("--token"), scenario: scenario,
            documents: arguments.int("--documents") ?? documents,
            editorsPerDocument: arguments.int("--editors") ?? editors,
            rate: arguments.int("--rate") ?? rate,
            duration: arguments.duration("--duration") ?? .seconds(10),
            warmup: arguments.duration("--warmup") ?? .seconds(2),
            runs: arguments.int("--runs") ?? 3,
            loops: arguments.int("--loops") ?? EventLoopGroup.defaultLoopCount,
            serverPID: arguments.int("--server-pid"),
            verify: arguments.flag("--verify"),
            client: client,
            tracePath: arguments.string("--trace"),
            databasePath: arguments.source(of: "--db").flatMap { $0 == .defaultValue ? nil : arguments.string("--db") },
            snapshotInterval: arguments.int("--snapshot-interval") ?? 1000,
            idleConnections: arguments.int("--idle") ?? 2000,
            idleDocuments: arguments.int("--idle-documents") ?? 20)
        settings.otherURLs = Array(urls.dropFirst())
        settings.routesByDocument = arguments.string("--route") != "editor"
        return ServerBenchmark.run(settings, output: context.output)
    }
}
