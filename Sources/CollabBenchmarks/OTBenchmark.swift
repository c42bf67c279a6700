#if canImport(Glibc)
import Glibc
#endif
import CollabOT

/// `collab bench ot`: replays a real editing trace through the OT engine and rope.
public enum OTBenchmark {
    /// The default trace, relative to the directory above the package.
    static let defaultTraceSuffix = "shared/data/traces/automerge-paper.json"

    /// Runs the benchmark; `tracePath` nil means the default trace. Returns the exit status.
    public static func run(tracePath: String?, runs: Int) -> Int32 {
        let runs = max(runs, 1)
        let path: String
        if let tracePath {
            path = tracePath
        } else {
            let candidates = defaultTraceCandidates()
            guard let found = candidates.first(where: { access($0, R_OK) == 0 }) else {
                printError("bench ot: no trace found; tried:")
                for candidate in candidates {
                    printError("  \(candidate)")
                }
                printError("pass one with --trace PATH (an uncompressed JSON editing trace)")
                return 1
            }
            path = found
        }

        let clock = ContinuousClock()
        let parseStart = clock.now
        let trace: Trace
        do {
            trace = try Trace.load(path: path)
        } catch {
            printError("bench ot: \(error)")
            return 1
        }
        let parseTime = clock.now - parseStart

        // Ops are built and applied a chunk at a time: holding all quarter-million of them
        // at once would triple peak memory, and only the applying is timed.
        let chunkSize = 8_192
        let start = Rope(trace.startContent)
        var buildTime = Duration.zero
        var applyTimes: [Duration] = []
        for run in 1...runs {
            var rope = start
            var applied = Duration.zero
            do {
                for lower in stride(from: 0, to: trace.edits.count, by: chunkSize) {
                    let built = clock.now
                    let ops = operations(of: trace, edits: lower..<min(lower + chunkSize, trace.edits.count))
                    let began = clock.now
                    for op in ops {
                        try rope.apply(op)
                    }
                    applied += clock.now - began
                    if run == 1 { buildTime += began - built }
                }
            } catch {
                printError("bench ot: run \(run): an operation was rejected: \(error)")
                return 1
            }
            applyTimes.append(applied)
            guard rope.isEqual(to: trace.endContent) else {
                printError("bench ot: run \(run): the final text differs from endContent "
                           + "(\(rope.count) scalars, expected \(trace.endContent.unicodeScalars.count))")
                return 1
            }
            if run == runs {
                printTable(path: path, trace: trace, ops: trace.edits.count, final: rope, parse: parseTime,
                           build: buildTime, apply: applyTimes)
            }
        }
        return 0
    }

    /// One normalized operation per patch: skip, insert, delete (insert first, no trailing skip).
    static func operations(of trace: Trace, edits range: Range<Int>) -> [TextOperation] {
        var ops: [TextOperation] = []
        ops.reserveCapacity(range.count)
        for edit in trace.edits[range] {
            // Exact-size component arrays: a quarter of a million of them dominate peak memory.
            let skip: TextOperation.Component? = edit.position > 0 ? .retain(Int(edit.position)) : nil
            let insert: TextOperation.Component? = edit.insertLength > 0 ? .insert(trace.insertedText(of: edit)) : nil
            let delete: TextOperation.Component? = edit.deleteCount > 0 ? .delete(Int(edit.deleteCount)) : nil
            let components: [TextOperation.Component]
            switch (skip, insert, delete) {
            case let (s?, i?, d?): components = [s, i, d]
            case let (s?, i?, nil): components = [s, i]
            case let (s?, nil, d?): components = [s, d]
            case let (nil, i?, d?): components = [i, d]
            case let (s?, nil, nil): components = [s]
            case let (nil, i?, nil): components = [i]
            case let (nil, nil, d?): components = [d]
            case (nil, nil, nil): components = []
            }
            ops.append(TextOperation(unchecked: components))
        }
        return ops
    }

    /// `../shared/...` from the working directory, then `shared/...` in each directory above
    /// the package that holds this executable (a worktree sits one level deeper than main).
    static func defaultTraceCandidates() -> [String] {
        var candidates = ["../" + defaultTraceSuffix]
        if let root = packageRoot() {
            var directory = parent(of: root)
            while true {
                candidates.append((directory == "/" ? "" : directory) + "/" + defaultTraceSuffix)
                if directory == "/" { break }
                directory = parent(of: directory)
            }
        }
        return candidates
    }

    /// The nearest directory above `/proc/self/exe` that holds a Package.swift.
    private static func packageRoot() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        var directory = parent(of: String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        while directory != "/" {
            if access(directory + "/Package.swift", F_OK) == 0 {
                return directory
            }
            directory = parent(of: directory)
        }
        return nil
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    // MARK: - Output

    private static func printTable(path: String, trace: Trace, ops: Int, final: Rope, parse: Duration,
                                   build: Duration, apply: [Duration]) {
        let sorted = apply.sorted()
        let median = milliseconds(sorted[sorted.count / 2])
        let perEdit = median * 1_000_000 / Double(max(ops, 1))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
        print("bench ot: \(path)")
        row("edits", "\(ops)")
        row("final length", "\(final.count) scalars, \(final.utf8Count) bytes, \(final.newlineCount) lines")
        row("trace parse", "\(format(milliseconds(parse))) ms")
        row("op build", "\(format(milliseconds(build))) ms")
        row("apply median", "\(format(median)) ms over \(apply.count) run(s)")
        row("apply min/max", "\(format(milliseconds(sorted[0]))) / \(format(milliseconds(sorted[sorted.count - 1]))) ms")
        row("per edit", "\(format(perEdit)) ns")
        row("peak RSS", "\(format(peakMB)) MB (trace replay)")
        // Measured after the RSS reading: its million-pair op arrays are not the trace's memory.
        let rates = (1...3).map { TransformBenchmark.measure(pairs: 1_000_000, seed: UInt64($0)) }.sorted()
        row("transform", "\(format(rates[1] / 1_000_000)) M pairs/s median of 3 "
            + "(random 3-8 component ops; min \(format(rates[0] / 1_000_000)), max \(format(rates[2] / 1_000_000)))")
        print("trace-apply-ms: \(format(median))")
    }

    private static func row(_ label: String, _ value: String) {
        print("  " + label + String(repeating: " ", count: max(1, 16 - label.count)) + value)
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }

    /// One decimal place, without Foundation.
    private static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    private static func printError(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
