#if canImport(Glibc)
import Glibc
#endif
import CollabCLI
import CollabJSON
import CollabOT
import CollabServer
import CollabStorage
import CollabTransport
import Foundation

/// `collab bench history`: the history actions on a large real document. Stores an editing
/// trace (automerge-paper: 259,778 ops, a snapshot every 1,000) into a fresh database, starts
/// a server on it in this process (port 0, loopback) and times, over HTTP as a client sees
/// them: the text at random versions, the diff from version 0 to the head and between random
/// versions, restores of random versions, and the compaction of the whole document, with the
/// database's size before and after.
public enum HistoryBenchmark {
    /// What to run.
    public struct Settings: Sendable {
        var tracePath: String?
        var directory: String
        var samples: Int
        var runs: Int

        /// Settings for one `collab bench history` invocation.
        public init(tracePath: String?, directory: String, samples: Int, runs: Int) {
            self.tracePath = tracePath
            self.directory = directory
            self.samples = samples
            self.runs = runs
        }
    }

    struct Failure: Error {
        let message: String
    }

    /// Runs and prints a table of medians and p95s, then `result KEY VALUE` lines; returns the exit status.
    public static func run(_ settings: Settings, output: CommandOutput) -> Int32 {
        do throws(Failure) {
            try measure(settings, output: output)
            return ExitStatus.success
        } catch {
            output.printDiagnostic("error: \(error.message)")
            return ExitStatus.failure
        }
    }

    private static func measure(_ settings: Settings, output: CommandOutput) throws(Failure) {
        let path: String
        if let given = settings.tracePath {
            path = given
        } else if let found = OTBenchmark.defaultTraceCandidates().first(where: { access($0, R_OK) == 0 }) {
            path = found
        } else {
            throw Failure(message: "no trace found; pass --trace PATH (an uncompressed JSON editing trace)")
        }
        let trace: Trace
        do {
            trace = try Trace.load(path: path)
        } catch {
            throw Failure(message: "\(error)")
        }
        let database = settings.directory + "/collab-bench-history-\(getpid()).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(database + suffix) } }
        let document = "paper"
        // The schema first, as the server would create it.
        do {
            _ = try SQLiteOpStore.openForWriting(path: database)
        } catch {
            throw Failure(message: "cannot create \(database): \(error)")
        }
        let fillStart = ContinuousClock.now
        let versions: Int
        switch ServerBenchmarkColdJoin.fill(document, trace: trace, databasePath: database, snapshotInterval: 1000) {
        case .success(let count): versions = count
        case .failure(let failure): throw Failure(message: failure.message)
        }
        output.printDiagnostic("stored \(versions) ops of \(path) in \(seconds(ContinuousClock.now - fillStart)) s")

        var configuration = CollaborationServerConfiguration(databasePath: database)
        configuration.port = 0
        configuration.threads = 2
        configuration.log = { _ in }
        let server: CollaborationServer
        do {
            server = try CollaborationServer(configuration: configuration)
        } catch {
            throw Failure(message: "cannot start a server: \(error)")
        }
        defer { server.shutdown() }
        let base = "http://127.0.0.1:\(server.localAddress.port)/v1/docs/\(document)"
        let client = HTTPClient()
        func call(_ method: String, _ target: String, _ body: String? = nil) throws(Failure) -> (Duration, JSONValue?) {
            guard let url = HTTPClientURL(base + target) else { throw Failure(message: "bad URL \(target)") }
            let start = ContinuousClock.now
            let response: HTTPClientResponse
            do {
                response = try client.send(method, url, body: body.map { Array($0.utf8) })
            } catch {
                throw Failure(message: "\(method) \(target): \(error)")
            }
            let elapsed = ContinuousClock.now - start
            guard (200..<300).contains(response.status) else {
                throw Failure(message: "\(method) \(target): HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
            }
            return (elapsed, try? JSONReader.parse(response.body, maxDepth: 64))
        }

        var random = SystemRandomNumberGenerator()
        var rows: [(label: String, key: String, times: [Duration])] = []
        // The text at random versions (a snapshot plus at most 999 ops replayed).
        rows.append(("text at a random version", "text_at_version",
                     try (0..<settings.samples).map { _ throws(Failure) in
                         try call("GET", "?version=\(Int.random(in: 0...versions, using: &random))").0
                     }))
        rows.append(("diff 0 → head", "diff_zero_to_head",
                     try (0..<settings.runs).map { _ throws(Failure) in try call("GET", "/diff?from=0").0 }))
        rows.append(("diff between random versions", "diff_random",
                     try (0..<settings.samples).map { _ throws(Failure) in
                         let a = Int.random(in: 0...versions, using: &random), b = Int.random(in: 0...versions, using: &random)
                         return try call("GET", "/diff?from=\(min(a, b))&to=\(max(a, b))").0
                     }))
        rows.append(("unified diff 0 → head", "unified_zero_to_head",
                     try (0..<settings.runs).map { _ throws(Failure) in try call("GET", "/diff?from=0&format=unified").0 }))
        // Each restore appends one op through the room and answers once it is durable.
        var restoreTimes: [Duration] = []
        for _ in 0..<max(settings.runs, 10) {
            let target = Int.random(in: 0...versions, using: &random)
            restoreTimes.append(try call("POST", "/restore", #"{"version": \#(target)}"#).0)
        }
        rows.append(("restore a random version", "restore", restoreTimes))

        let sizeBefore = try pages(database)
        let (compactTime, report) = try call("POST", "/compact", #"{"horizon": \#(versions + restoreTimes.count - 1)}"#)
        rows.append(("compact the whole document", "compact", [compactTime]))
        let sizeAfter = try pages(database)
        try vacuum(database)
        let vacuumed = try pages(database)

        output.printLine("bench history: \(path), \(versions) ops (snapshot every 1,000), over HTTP to an in-process "
                         + "server on loopback; \(settings.samples) samples or \(settings.runs) runs per row")
        output.printLine("  " + "".padding(toLength: 32, withPad: " ", startingAt: 0) + "    median       p95    count")
        for row in rows {
            let sorted = row.times.map(milliseconds).sorted()
            output.printLine("  " + row.label.padding(toLength: 32, withPad: " ", startingAt: 0)
                             + String(format: " %7.2f ms %7.2f ms %6d", percentile(sorted, 0.5), percentile(sorted, 0.95),
                                      sorted.count))
        }
        var removed = 0
        if case .object(let object)? = report, case .integer(let bytes)? = object["bytesRemoved"] { removed = bytes }
        output.printLine(String(format: "  database: %.1f MiB (%.1f MiB free) before compaction, %.1f MiB (%.1f MiB free) "
                                + "after, %.1f MiB after VACUUM; %.1f MiB of ops and snapshots removed",
                                mib(sizeBefore.total), mib(sizeBefore.free), mib(sizeAfter.total), mib(sizeAfter.free),
                                mib(vacuumed.total), mib(removed)))
        for row in rows {
            let sorted = row.times.map(milliseconds).sorted()
            output.printLine("result \(row.key)_p50_ms " + String(format: "%.2f", percentile(sorted, 0.5)))
            output.printLine("result \(row.key)_p95_ms " + String(format: "%.2f", percentile(sorted, 0.95)))
        }
        output.printLine("result database_before_bytes \(sizeBefore.total)")
        output.printLine("result database_after_vacuum_bytes \(vacuumed.total)")
    }

    /// The database's size and free space, from its page counts.
    private static func pages(_ path: String) throws(Failure) -> (total: Int, free: Int) {
        do {
            let database = try Database(path: path, mode: .readOnly)
            let size = Int(try database.scalarText("PRAGMA page_size") ?? "0") ?? 0
            let count = Int(try database.scalarText("PRAGMA page_count") ?? "0") ?? 0
            let free = Int(try database.scalarText("PRAGMA freelist_count") ?? "0") ?? 0
            return (count * size, free * size)
        } catch {
            throw Failure(message: "cannot read \(path): \(error)")
        }
    }

    private static func vacuum(_ path: String) throws(Failure) {
        do {
            try Database(path: path).execute("VACUUM")
        } catch {
            throw Failure(message: "VACUUM failed: \(error)")
        }
    }

    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", milliseconds(duration) / 1000)
    }

    private static func mib(_ bytes: Int) -> Double {
        Double(bytes) / 1_048_576
    }
}
