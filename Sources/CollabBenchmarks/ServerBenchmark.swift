import CollabCLI
import CollabTransport

/// `collab bench server`: loads a running collaboration server with simulated editors that
/// speak `collab.v1` correctly, and reports latency, throughput, CPU and memory.
public enum ServerBenchmark {
    /// Which load to apply.
    public enum Scenario: String, Sendable, CaseIterable {
        case latency, throughput, writers, coldjoin, footprint
    }

    /// Everything a run needs, from the command line.
    public struct Settings: Sendable {
        /// `ws://host:port`, without a trailing slash.
        var url: String
        /// Further nodes of a cluster (`--url` repeated): editors are spread over all of them.
        public var otherURLs: [String] = []
        /// With several nodes: each document's editors on one node (`true`, routing by
        /// document as a load balancer should) or each editor on the next node in turn.
        public var routesByDocument = true
        /// Sent as `?token=` when the server has a secret.
        var token: String?
        var scenario: Scenario
        var documents: Int
        var editorsPerDocument: Int
        /// Keystrokes per second per editor.
        var rate: Int
        var duration: Duration
        var warmup: Duration
        var runs: Int
        var loops: Int
        var serverPID: Int?
        var verify: Bool
        var client: WebSocketClientConfiguration
        /// coldjoin: the editing trace and the server's database.
        var tracePath: String?
        var databasePath: String?
        var snapshotInterval: Int
        /// footprint: idle connections and how many documents they join.
        var idleConnections: Int
        var idleDocuments: Int

        /// Settings for one `collab bench server` invocation, field by field.
        public init(url: String, token: String?, scenario: Scenario, documents: Int, editorsPerDocument: Int,
                    rate: Int, duration: Duration, warmup: Duration, runs: Int, loops: Int, serverPID: Int?,
                    verify: Bool, client: WebSocketClientConfiguration, tracePath: String?, databasePath: String?,
                    snapshotInterval: Int, idleConnections: Int, idleDocuments: Int) {
            self.url = url
            self.token = token
            self.scenario = scenario
            self.documents = documents
            self.editorsPerDocument = editorsPerDocument
            self.rate = rate
            self.duration = duration
            self.warmup = warmup
            self.runs = runs
            self.loops = loops
            self.serverPID = serverPID
            self.verify = verify
            self.client = client
            self.tracePath = tracePath
            self.databasePath = databasePath
            self.snapshotInterval = snapshotInterval
            self.idleConnections = idleConnections
            self.idleDocuments = idleDocuments
        }

        /// The WebSocket URL of document `id` (for editor `editor` of document number `document`,
        /// on the node the routing picks).
        func documentURL(_ id: String, document: Int = 0, editor: Int = 0) -> String {
            let nodes = [url] + otherURLs
            let base = nodes[(routesByDocument ? document : editor) % nodes.count]
            return base + "/v1/docs/" + id + (token.map { "?token=" + $0 } ?? "")
        }
    }

    /// A table column: its heading, the key of its `result` line, and its unit of display.
    struct Column: Sendable {
        var title: String
        var key: String
    }

    /// One run's figures, one per column (NaN: not measured).
    struct RunResult: Sendable {
        var values: [Double]
    }

    /// A scenario's failure (refused connections, protocol errors, divergence).
    struct Failure: Error {
        let message: String
    }

    /// Runs `settings.runs` times and prints a table with the median of every column;
    /// returns the exit status.
    public static func run(_ settings: Settings, output: CommandOutput) -> Int32 {
        if let warning = ServerBenchmarkProcess.raiseDescriptorLimit() { output.printDiagnostic(warning) }
        let (title, columns) = describe(settings)
        output.printLine(title)
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(loopCount: settings.loops, logger: .silent)
        } catch {
            output.printDiagnostic("error: cannot start event loops: \(error)")
            return ExitStatus.failure
        }
        defer { group.shutdown() }
        var trace: Trace?
        if settings.scenario == .coldjoin {
            switch ServerBenchmarkColdJoin.loadTrace(settings, output: output) {
            case .success(let loaded): trace = loaded
            case .failure(let failure):
                output.printDiagnostic("error: \(failure.message)")
                return ExitStatus.failure
            }
        }
        var results: [RunResult] = []
        for run in 1...settings.runs {
            output.printDiagnostic("run \(run)/\(settings.runs)...")
            let outcome: Result<RunResult, Failure>
            switch settings.scenario {
            case .latency, .throughput, .writers:
                outcome = ServerBenchmarkTyping.run(settings, group: group, output: output)
            case .coldjoin:
                if let trace {
                    outcome = ServerBenchmarkColdJoin.run(settings, trace: trace, group: group, output: output)
                } else {
                    outcome = .failure(Failure(message: "no trace"))
                }
            case .footprint:
                outcome = ServerBenchmarkFootprint.run(settings, group: group, output: output)
            }
            switch outcome {
            case .success(let result):
                results.append(result)
            case .failure(let failure):
                output.printDiagnostic("error: \(failure.message)")
                return ExitStatus.failure
            }
        }
        let widths = columns.map { max($0.title.count, 9) }
        output.printLine(row(["run"] + columns.map(\.title), widths: [6] + widths))
        for (index, result) in results.enumerated() {
            output.printLine(row([String(index + 1)] + result.values.map(format), widths: [6] + widths))
        }
        let medians = columns.indices.map { column in median(results.map { $0.values[column] }) }
        output.printLine(row(["median"] + medians.map(format), widths: [6] + widths))
        for (column, value) in zip(columns, medians) {
            output.printLine("result \(column.key) \(value.isNaN ? "n/a" : plain(value))")
        }
        return ExitStatus.success
    }

    private static func describe(_ s: Settings) -> (String, [Column]) {
        let server = s.serverPID.map { "server pid \($0)" } ?? "no --server-pid (no server CPU or memory)"
        switch s.scenario {
        case .latency, .throughput, .writers:
            return ("bench server \(s.scenario.rawValue): \(([s.url] + s.otherURLs).joined(separator: " "))\(s.otherURLs.isEmpty ? "" : s.routesByDocument ? " (routed by document)" : " (editors spread over the nodes)"), \(s.documents) document(s) × \(s.editorsPerDocument) "
                    + "editors × \(s.rate) keystrokes/s, \(s.duration) per run after \(s.warmup) warm-up, "
                    + "\(s.loops) client loops, \(server)",
                    ServerBenchmarkTyping.columns)
        case .coldjoin:
            return ("bench server coldjoin: \(s.url), \(s.tracePath ?? "automerge-paper trace") stored into "
                    + "\(s.databasePath ?? "?") with a snapshot every \(s.snapshotInterval) ops, one fresh document per run",
                    ServerBenchmarkColdJoin.columns)
        case .footprint:
            return ("bench server footprint: \(s.url), \(s.idleConnections) idle connections over \(s.idleDocuments) "
                    + "documents; 50 documents × 4 editors and 1 document × 10 editors at 10 keystrokes/s, "
                    + "\(s.duration) each, \(server)",
                    ServerBenchmarkFootprint.columns)
        }
    }

    /// The median of the values that are not NaN (NaN when none is).
    public static func median(_ values: [Double]) -> Double {
        let known = values.filter { !$0.isNaN }.sorted()
        guard !known.isEmpty else { return .nan }
        return known.count % 2 == 1 ? known[known.count / 2]
            : (known[known.count / 2 - 1] + known[known.count / 2]) / 2
    }

    private static func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).map { cell, width in
            cell.count >= width ? cell : String(repeating: " ", count: width - cell.count) + cell
        }.joined(separator: "  ")
    }

    /// Two decimals below 10, one below 100, then whole numbers with thousands separators.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "n/a" }
        if abs(value) >= 100 { return WSBenchmark.formatted(value) }
        return plain(value, decimals: abs(value) < 10 ? 2 : 1)
    }

    /// `value` with `decimals` decimals and no separators (for `result` lines).
    static func plain(_ value: Double, decimals: Int = 2) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = String(scaled % Int(scale))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return decimals == 0 ? sign + String(whole)
            : sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// Milliseconds from a histogram value in nanoseconds.
    static func milliseconds(_ nanoseconds: UInt64) -> Double {
        Double(nanoseconds) / 1e6
    }
}
