import CollabCLI
import CollabJSON
import CollabOT
import CollabStorage

/// `collab restore`: brings back the text of an earlier version as a new edit.
enum RestoreCommand {
    static let spec = CommandSpec(
        name: "restore",
        abstract: "Bring back an earlier version's text as a new edit.",
        discussion: """
            Appends one operation that turns the current text into the text at --version \
            (or at the version --name names): a minimal edit that keeps every unchanged \
            span, so cursors and concurrent typing survive. History is never rewritten: \
            the document gets one new version, and what came between stays readable. A \
            text already equal to the target stores nothing.

            \(HistoryActionOptions.runningServerNote)
            """,
        arguments: [CollabCommand.documentArgument],
        options: [
            .option("--version", value: "n", kind: .nonNegativeInteger, help: "The version whose text to restore."),
            .option("--name", value: "name", help: "The named version whose text to restore."),
            HistoryActionOptions.userOption,
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        constraints: [.mutuallyExclusive(["--version", "--name"])],
        examples: [
            CommandExample("Bring notes back to version 120 through the running server:",
                           "collab restore notes --version 120 --server http://127.0.0.1:8080 --token $T"),
            CommandExample("Bring notes back to the version named 'first draft':",
                           "collab restore notes --name 'first draft'"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let version = context.arguments.int("--version")
        let name = context.arguments.string("--name")
        guard version != nil || name != nil else {
            throw context.usageError("give --version or --name.")
        }
        if let remote = try HistoryActionOptions.remote(context) {
            let body: JSONValue = version.map { .object(JSONObject([("version", .integer($0))])) }
                ?? .object(JSONObject([("name", .string(name ?? ""))]))
            let answer = try remote.send("POST", remote.documentPath(doc, "/restore"), body: body)
            print(context, doc: doc, from: HistoryActionOptions.integer("restoredFrom", in: answer) ?? 0, version: HistoryActionOptions.integer("version", in: answer) ?? 0,
                  unchanged: HistoryActionOptions.isTrue("unchanged", in: answer))
            return ExitStatus.success
        }
        let store = try OperatorStore.openForWriting(context)
        let info = try OperatorStore.document(context, store: store, doc: doc)
        let target: Int
        if let version {
            target = version
        } else {
            guard let named = try HistoryActionOptions.storage(context, { () throws(StorageError) in
                try store.namedVersion(doc: doc, name: name ?? "")
            }) else {
                throw context.failure("document '\(doc)' has no version named '\(name ?? "")'; "
                                      + "'collab versions \(OperatorStore.shellQuoted(doc))' lists them.")
            }
            target = named.version
        }
        let history = DocumentHistory(store: store, doc: doc)
        // Below a compaction horizon only a named version's kept snapshot is readable, by its name.
        let horizon = try HistoryActionOptions.storage(context) { () throws(StorageError) in try store.horizon(doc: doc) }
        let (current, wanted) = try HistoryActionOptions.history(context) { () throws(DocumentHistoryError) in
            if name == nil && target < horizon { throw .versionGone(doc: doc, requested: target, horizon: horizon) }
            return (String(try history.text(atVersion: info.version)), String(try history.text(atNamedVersion: target)))
        }
        let operation = TextDiff.operation(from: current, to: wanted)
        guard !operation.isNoop else {
            print(context, doc: doc, from: target, version: info.version, unchanged: true)
            return ExitStatus.success
        }
        let deleted = (try? operation.deletedText(in: current)) ?? []
        let record = OpRecord(doc: doc, version: info.version,
                              clientId: "restore-" + String(UInt64.random(in: 0...UInt64.max), radix: 16), seq: 1,
                              user: HistoryActionOptions.user(context), ts: HistoryActionOptions.now(),
                              length: wanted.unicodeScalars.count, opJSON: operation.json.jsonString,
                              deletedJSON: JSONValue.array(deleted.map { .string($0) }).jsonString)
        try HistoryActionOptions.storage(context) { () throws(StorageError) in try store.append([record]) }
        print(context, doc: doc, from: target, version: info.version, unchanged: false)
        return ExitStatus.success
    }

    private static func print(_ context: CommandContext, doc: String, from: Int, version: Int, unchanged: Bool) {
        context.output.printLine(unchanged
            ? "'\(doc)' already has the text of version \(from); nothing stored (version \(version))"
            : "restored '\(doc)' to the text of version \(from) as version \(version)")
    }
}
