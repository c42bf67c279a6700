#if canImport(Glibc)
import Glibc
#endif
import CollabCLI
import CollabTransport

/// `collab bench ws`: a load generator for any RFC 6455 echo server, on the same event loops
/// and client as the rest of the transport, so one run can measure ours and a peer's.
public enum WSBenchmark {
    /// Which load to apply.
    public enum Scenario: String, Sendable {
        case echo, idle, broadcast
    }

    /// Everything a run needs, from the command line.
    public struct Settings: Sendable {
        var url: String
        var scenario: Scenario
        var connections: Int
        var duration: Duration
        var messageSize: Int
        var window: Int
        var runs: Int
        var loops: Int
        var serverPID: Int?
        var client: WebSocketClientConfiguration

        /// Settings for one `collab bench ws` invocation, field by field.
        public init(url: String, scenario: Scenario, connections: Int, duration: Duration, messageSize: Int,
                    window: Int, runs: Int, loops: Int, serverPID: Int?, client: WebSocketClientConfiguration) {
            self.url = url
            self.scenario = scenario
            self.connections = connections
            self.duration = duration
            self.messageSize = messageSize
            self.window = window
            self.runs = runs
            self.loops = loops
            self.serverPID = serverPID
            self.client = client
        }
    }

    /// One run's figures; `value` is the headline figure the median is taken of.
    struct RunResult: Sendable {
        var value: Double
        var columns: [String]
    }

    /// A scenario's failure (connections refused, server gone).
    struct Failure: Error {
        let message: String
    }

    /// Runs `settings.runs` times and prints a table; returns the exit status.
    public static func run(_ settings: Settings, output: CommandOutput) -> Int32 {
        raiseDescriptorLimit(output: output)
        let (title, header, unit) = describe(settings)
        output.printLine(title)
        var results: [RunResult] = []
        for run in 1...settings.runs {
            output.printDiagnostic("run \(run)/\(settings.runs)...")
            let outcome: Result<RunResult, Failure>
            switch settings.scenario {
            case .echo: outcome = WSBenchmarkEcho.run(settings, output: output)
            case .idle: outcome = WSBenchmarkIdle.run(settings, output: output)
            case .broadcast: outcome = WSBenchmarkBroadcast.run(settings, output: output)
            }
            switch outcome {
            case .success(let result):
                results.append(result)
            case .failure(let failure):
                output.printDiagnostic("error: \(failure.message)")
                return ExitStatus.failure
            }
        }
        let widths = header.map { max($0.count, 12) }
        output.printLine(row(["run"] + header, widths: [6] + widths))
        for (index, result) in results.enumerated() {
            output.printLine(row([String(index + 1)] + result.columns, widths: [6] + widths))
        }
        let sorted = results.sorted { $0.value < $1.value }
        let median = sorted[sorted.count / 2]
        output.printLine(row(["median"] + median.columns, widths: [6] + widths))
        output.printLine("result: \(formatted(median.value)) \(unit) (median of \(results.count))")
        return ExitStatus.success
    }

    private static func describe(_ s: Settings) -> (String, [String], String) {
        switch s.scenario {
        case .echo:
            return ("bench ws echo: \(s.url), \(s.connections) connections × window \(s.window), "
                    + "\(s.messageSize)-byte text, \(s.duration) per run, \(s.loops) client loops",
                    ["msg/s", "p50 µs", "p99 µs", "p99.9 µs"], "msg/s")
        case .idle:
            return ("bench ws idle: \(s.url), \(s.connections) idle connections, \(s.loops) client loops"
                    + (s.serverPID.map { ", server pid \($0)" } ?? ", no --server-pid (client side only)"),
                    ["server KiB/conn", "server ΔRSS MiB", "client KiB/conn", "connect s"], "server KiB/conn")
        case .broadcast:
            return ("bench ws broadcast: \(s.url), 1 sender → \(s.connections) receivers, window \(s.window), "
                    + "\(s.messageSize)-byte text, \(s.duration) per run",
                    ["deliveries/s", "sent msg/s"], "deliveries/s")
        }
    }

    private static func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).map { cell, width in
            cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
        }.joined(separator: "  ")
    }

    /// `1234567.8` → `1,234,568`; small values keep one decimal.
    static func formatted(_ value: Double) -> String {
        if value.isNaN { return "n/a" }
        if abs(value) < 100 { return String(Double(Int((value * 10).rounded())) / 10) }
        let digits = String(Int(value.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    /// Microseconds from nanoseconds, for the table.
    static func micros(_ nanoseconds: UInt64) -> String {
        formatted(Double(nanoseconds) / 1000)
    }

    /// Resident set size of `pid` (`VmRSS` in /proc/PID/status) in KiB; nil if unreadable.
    static func residentKiB(pid: Int?) -> Int? {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:") {
                return Int(text.dropFirst(6).filter { $0.isNumber })
            }
        }
        return nil
    }

    /// Raises RLIMIT_NOFILE to the hard limit (10,000 sockets need more than the usual 1,024).
    private static func raiseDescriptorLimit(output: CommandOutput) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
                output.printDiagnostic("warning: cannot raise the open-file limit to \(limit.rlim_max)")
            }
        }
    }

    /// The descriptor limit now in force.
    static var descriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return limit.rlim_cur > UInt(Int.max) ? Int.max : Int(limit.rlim_cur)
    }
}
