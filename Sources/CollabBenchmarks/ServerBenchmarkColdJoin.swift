#if canImport(Glibc)
import Glibc
#endif
import CollabCLI
import CollabJSON
import CollabOT
import CollabStorage
import CollabTransport

/// The `coldjoin` scenario: stores an editing trace (automerge-paper: 259,778 edits) as a
/// fresh document's op log straight into the server's database, with a snapshot every
/// `--snapshot-interval` ops as the server would take them, then times a new client's
/// join → `joined` while the room is not loaded (cold), and once more while it is (warm).
/// The joined text is checked against the trace's final text.
enum ServerBenchmarkColdJoin {
    static let columns: [ServerBenchmark.Column] = [
        .init(title: "ops", key: "history_ops"),
        .init(title: "fill s", key: "fill_seconds"),
        .init(title: "cold connect→joined ms", key: "cold_connect_to_joined_ms"),
        .init(title: "cold join→joined ms", key: "cold_join_to_joined_ms"),
        .init(title: "warm join→joined ms", key: "warm_join_to_joined_ms"),
        .init(title: "text KiB", key: "text_kib"),
    ]

    /// Reads `--trace`, or the built-in trace's usual places.
    static func loadTrace(_ settings: ServerBenchmark.Settings,
                          output: CommandOutput) -> Result<Trace, ServerBenchmark.Failure> {
        guard settings.databasePath != nil else {
            return .failure(.init(message: "coldjoin needs --db, the running server's database file"))
        }
        let path: String
        if let given = settings.tracePath {
            path = given
        } else if let found = OTBenchmark.defaultTraceCandidates().first(where: { access($0, R_OK) == 0 }) {
            path = found
        } else {
            return .failure(.init(message: "no trace found; pass --trace PATH (an uncompressed JSON editing trace)"))
        }
        do {
            let trace = try Trace.load(path: path)
            output.printDiagnostic("  trace \(path): \(trace.edits.count) edits")
            return .success(trace)
        } catch {
            return .failure(.init(message: "\(error)"))
        }
    }

    static func run(_ settings: ServerBenchmark.Settings, trace: Trace, group: EventLoopGroup,
                    output: CommandOutput) -> Result<ServerBenchmark.RunResult, ServerBenchmark.Failure> {
        var generator = SystemRandomNumberGenerator()
        let document = "bench-coldjoin-" + String(generator.next() & 0xFF_FFFF_FFFF, radix: 36)
        let fillStart = WSBenchmarkLoops.now()
        let stored: Int
        switch fill(document, trace: trace, settings: settings) {
        case .success(let count): stored = count
        case .failure(let failure): return .failure(failure)
        }
        let fillSeconds = Double(WSBenchmarkLoops.now() - fillStart) / 1e9
        output.printDiagnostic("  stored \(stored) ops of \(document) in \(ServerBenchmark.format(fillSeconds)) s")
        let cold: ServerBenchmarkJoiner.Outcome
        switch ServerBenchmarkJoiner.join(url: settings.documentURL(document), settings: settings, loop: group.loops[0]) {
        case .success(let outcome): cold = outcome
        case .failure(let failure): return .failure(failure)
        }
        guard cold.version == stored, cold.text == trace.endContent else {
            return .failure(.init(message: "the joined document differs from the trace: version \(cold.version) "
                                  + "(expected \(stored)), \(cold.text.unicodeScalars.count) scalars "
                                  + "(expected \(trace.endContent.unicodeScalars.count))"))
        }
        let warm: ServerBenchmarkJoiner.Outcome
        switch ServerBenchmarkJoiner.join(url: settings.documentURL(document), settings: settings, loop: group.loops[0]) {
        case .success(let outcome): warm = outcome
        case .failure(let failure): return .failure(failure)
        }
        return .success(ServerBenchmark.RunResult(values: [
            Double(stored), fillSeconds,
            ServerBenchmark.milliseconds(cold.connectToJoined), ServerBenchmark.milliseconds(cold.joinToJoined),
            ServerBenchmark.milliseconds(warm.joinToJoined), Double(cold.text.utf8.count) / 1024,
        ]))
    }

    /// Stores the trace as `document`'s ops (one per edit, as the server encodes them) and a
    /// snapshot every `snapshotInterval` versions; returns the number of ops stored.
    static func fill(_ document: String, trace: Trace,
                     settings: ServerBenchmark.Settings) -> Result<Int, ServerBenchmark.Failure> {
        guard let path = settings.databasePath else { return .failure(.init(message: "no --db")) }
        return fill(document, trace: trace, databasePath: path, snapshotInterval: settings.snapshotInterval)
    }

    /// Stores the trace as `document`'s ops in the database at `path`, a snapshot every
    /// `snapshotInterval` versions; returns the number of ops stored.
    static func fill(_ document: String, trace: Trace, databasePath path: String,
                     snapshotInterval: Int) -> Result<Int, ServerBenchmark.Failure> {
        let store: SQLiteOpStore
        do {
            store = try SQLiteOpStore.openForWriting(path: path)
            // Only this connection's commits skip fsync: it is benchmark data, refilled if lost.
            try store.database.execute("PRAGMA synchronous=OFF")
        } catch {
            return .failure(.init(message: "cannot open \(path) for writing: \(error)"))
        }
        var generator = SystemRandomNumberGenerator()
        let clientId = "bench-fill-" + String(generator.next() & 0xFF_FFFF_FFFF, radix: 36)
        let ts = Int64(time(nil)) * 1000
        var rope = Rope()
        var operations: [TextOperation] = []
        if !trace.startContent.isEmpty {
            var initial = TextOperation()
            initial.insert(trace.startContent)
            operations.append(initial)
        }
        let chunk = max(1, snapshotInterval)
        var version = 0
        var edit = 0
        do {
            while edit < trace.edits.count || !operations.isEmpty {
                let upper = min(edit + chunk - operations.count, trace.edits.count)
                operations += OTBenchmark.operations(of: trace, edits: edit..<upper)
                edit = upper
                var records: [CollabStorage.OpRecord] = []
                records.reserveCapacity(operations.count)
                for operation in operations {
                    let deleted = deletedTexts(of: operation, in: rope)
                    try rope.apply(operation)
                    records.append(CollabStorage.OpRecord(
                        doc: document, version: version, clientId: clientId, seq: version + 1, user: "bench",
                        ts: ts, length: rope.count, opJSON: operation.json.jsonString,
                        deletedJSON: JSONValue.array(deleted.map { .string($0) }).jsonString))
                    version += 1
                }
                operations.removeAll(keepingCapacity: true)
                try store.append(records)
                if version % chunk == 0 {
                    try store.saveSnapshot(Snapshot(doc: document, version: version, text: String(rope), createdAt: ts))
                }
            }
        } catch {
            return .failure(.init(message: "storing the trace failed at version \(version): \(error)"))
        }
        return .success(version)
    }

    /// The text each delete of `operation` removes from `text` (the document before it).
    static func deletedTexts(of operation: TextOperation, in text: Rope) -> [String] {
        var position = 0
        var deleted: [String] = []
        for component in operation.components {
            switch component {
            case .retain(let count): position += count
            case .insert: break
            case .delete(let count):
                deleted.append(text.substring(scalarRange: position..<(position + count)))
                position += count
            }
        }
        return deleted
    }
}
