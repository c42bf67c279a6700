import CollabCLI
import CollabTransport

/// The `latency`, `throughput` and `writers` scenarios: documents × editors typing at a fixed
/// rate; ack and propagation latency, committed ops per second, server CPU per op.
enum ServerBenchmarkTyping {
    static let columns: [ServerBenchmark.Column] = [
        .init(title: "op/s", key: "committed_ops_per_s"),
        .init(title: "keys/s", key: "keystrokes_per_s"),
        .init(title: "ack p50 ms", key: "ack_p50_ms"),
        .init(title: "ack p99 ms", key: "ack_p99_ms"),
        .init(title: "prop p50 ms", key: "propagation_p50_ms"),
        .init(title: "prop p95 ms", key: "propagation_p95_ms"),
        .init(title: "prop p99 ms", key: "propagation_p99_ms"),
        .init(title: "srv µs/op", key: "server_cpu_us_per_op"),
        .init(title: "srv CPU %", key: "server_cpu_percent"),
        .init(title: "client CPU %", key: "client_cpu_percent"),
    ]

    static func run(_ settings: ServerBenchmark.Settings, group: EventLoopGroup,
                    output: CommandOutput) -> Result<ServerBenchmark.RunResult, ServerBenchmark.Failure> {
        let plan = ServerBenchmarkFleet.Plan(documents: settings.documents,
                                             editorsPerDocument: settings.editorsPerDocument,
                                             documentPrefix: "bench-\(settings.scenario.rawValue)",
                                             verify: settings.verify)
        let fleet: ServerBenchmarkFleet
        switch ServerBenchmarkFleet.open(plan, settings: settings, group: group, output: output) {
        case .success(let opened): fleet = opened
        case .failure(let failure): return .failure(failure)
        }
        output.printDiagnostic("  \(fleet.editorCount) editors joined in \(ServerBenchmark.format(fleet.openSeconds)) s")
        let window = fleet.measure(rate: settings.rate, warmup: settings.warmup, duration: settings.duration,
                                   serverPID: settings.serverPID)
        let settled = fleet.settle(timeout: .seconds(30))
        fleet.close()
        if case .failure(let failure) = settled { return .failure(failure) }
        return .success(ServerBenchmark.RunResult(values: values(of: window)))
    }

    /// The columns' values for one window.
    static func values(of window: ServerBenchmarkFleet.Window) -> [Double] {
        let seconds = max(window.seconds, 1e-9)
        let ack = window.ackLatency
        let propagation = window.propagationLatency
        let cpuPerOp = window.serverCPUSeconds.map { window.acks > 0 ? $0 * 1e6 / Double(window.acks) : .nan } ?? .nan
        let cpuPercent = window.serverCPUSeconds.map { $0 * 100 / seconds } ?? .nan
        return [
            Double(window.acks) / seconds,
            Double(window.keystrokes) / seconds,
            ack.total > 0 ? ServerBenchmark.milliseconds(ack.percentile(0.5)) : .nan,
            ack.total > 0 ? ServerBenchmark.milliseconds(ack.percentile(0.99)) : .nan,
            propagation.total > 0 ? ServerBenchmark.milliseconds(propagation.percentile(0.5)) : .nan,
            propagation.total > 0 ? ServerBenchmark.milliseconds(propagation.percentile(0.95)) : .nan,
            propagation.total > 0 ? ServerBenchmark.milliseconds(propagation.percentile(0.99)) : .nan,
            cpuPerOp,
            cpuPercent,
            window.clientCPUSeconds * 100 / seconds,
        ]
    }
}
