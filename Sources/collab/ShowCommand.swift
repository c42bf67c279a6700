import CollabCLI
import CollabJSON
import CollabOT
import CollabStorage

/// `collab show`: shows one operation with the text around it.
enum ShowCommand {
    static let spec = CommandSpec(
        name: "show",
        abstract: "Show one operation and the text it changed.",
        discussion: """
            Prints the operation stored as version <n> (the one that took the document from \
            version n to n+1): who stored it and when, the operation itself, and the lines it \
            changed as a diff: '-' lines are the text before it, '+' lines the text after it, \
            with a few unchanged lines around them.
            """,
        arguments: [CollabCommand.documentArgument],
        options: [
            .option("--version", value: "n", kind: .nonNegativeInteger,
                    help: "The operation to show (as numbered by 'collab history').", isRequired: true),
            .option("--context", value: "lines", kind: .nonNegativeInteger,
                    help: "Unchanged lines to show before and after the change.", defaultValue: "3"),
            CollabCommand.databaseOption,
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let version = context.arguments.int("--version") ?? 0
        let contextLines = context.arguments.int("--context") ?? 3
        let store = try OperatorStore.openForReading(context)
        let path = OperatorStore.path(context)
        let info = try OperatorStore.document(context, store: store, doc: doc)
        guard version < info.version else {
            throw context.failure(
                "document '\(doc)' has operations 0 to \(info.version - 1); there is no operation \(version).")
        }
        let history = DocumentHistory(store: store, doc: doc)
        let before: Rope
        let record: OpRecord
        let operation: TextOperation
        do throws(DocumentHistoryError) {
            before = try history.text(atVersion: version)
            var found: OpRecord?
            try history.replay(from: version, to: version + 1) { (stored, _) throws(DocumentHistoryError) in
                found = stored
            }
            guard let found else { throw .missingVersion(doc: doc, expected: version, found: nil) }
            record = found
            operation = try found.operation()
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
        var after = before
        do {
            try after.apply(operation)
        } catch {
            throw OperatorStore.failure(context, DocumentHistoryError.opDoesNotApply(doc: doc, version: version, error),
                                        path: path)
        }

        let output = context.output
        output.printLine("operation \(version) of \(doc): \(OperatorStore.summary(of: record))")
        output.printLine("user:     \(record.user)")
        output.printLine("client:   \(record.clientId) (seq \(record.seq))")
        output.printLine("time:     \(ISO8601Time.format(milliseconds: record.ts))")
        output.printLine("op:       \(record.opJSON)")
        guard let change = changedRange(of: operation) else { return ExitStatus.success }

        let oldLines = Lines(String(before))
        let newLines = Lines(String(after))
        let first = oldLines.line(containing: change.start)
        let oldEnd = min(oldLines.count, max(first, oldLines.line(containing: change.endBefore)) + 1)
        let newEnd = min(newLines.count, max(first, newLines.line(containing: change.endAfter)) + 1)
        let leading = max(0, first - contextLines)
        let trailingEnd = max(oldEnd, min(oldLines.count, oldEnd + contextLines))
        let newCount = (first - leading) + max(0, newEnd - first) + (trailingEnd - oldEnd)
        output.printLine("")
        output.printLine("@@ -\(leading + 1),\(trailingEnd - leading) +\(leading + 1),\(newCount) @@")
        for index in leading..<first {
            output.printLine(" " + oldLines[index])
        }
        for index in first..<max(first, oldEnd) {
            output.printLine("-" + oldLines[index])
        }
        for index in first..<max(first, newEnd) {
            output.printLine("+" + newLines[index])
        }
        for index in oldEnd..<trailingEnd {
            output.printLine(" " + oldLines[index])
        }
        return ExitStatus.success
    }

    /// Where the op's changes start, and where they end in the text before and after it (scalars).
    static func changedRange(of operation: TextOperation) -> (start: Int, endBefore: Int, endAfter: Int)? {
        var start: Int?
        var before = 0
        var after = 0
        var endBefore = 0
        var endAfter = 0
        for component in operation.components {
            switch component {
            case .retain(let n):
                before += n
                after += n
            case .insert(let text):
                start = start ?? before
                after += text.unicodeScalars.count
            case .delete(let n):
                start = start ?? before
                before += n
            }
            endBefore = before
            endAfter = after
        }
        return start.map { ($0, endBefore, endAfter) }
    }

    /// A text's lines (without their line feeds) and the scalar offset each starts at.
    struct Lines {
        private let lines: [String]
        private let starts: [Int]

        /// The lines of `text`; a final line feed ends the last line rather than starting an
        /// empty one, and the empty text has no line.
        init(_ text: String) {
            var lines: [String] = []
            var starts: [Int] = []
            var offset = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(String(line))
                starts.append(offset)
                offset += line.unicodeScalars.count + 1
            }
            if lines.last == "" {
                lines.removeLast()
                starts.removeLast()
            }
            self.lines = lines
            self.starts = starts
        }

        var count: Int { lines.count }

        subscript(index: Int) -> String { lines[index] }

        /// The index of the line holding scalar `offset` (past the last line feed: the last line; 0 if none).
        func line(containing offset: Int) -> Int {
            var low = 0
            var high = max(0, lines.count - 1)
            while low < high {
                let middle = (low + high + 1) / 2
                if starts[middle] <= offset { low = middle } else { high = middle - 1 }
            }
            return low
        }
    }
}
