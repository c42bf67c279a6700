import CollabCLI
import CollabJSON
import CollabStorage

/// `collab compact`: folds old history into a snapshot.
enum CompactCommand {
    static let spec = CommandSpec(
        name: "compact",
        abstract: "Fold a document's old history into a snapshot.",
        discussion: """
            Chooses a horizon — the current version minus --keep-versions, or the version the \
            document had --older-than ago — stores the text at the horizon as a snapshot, and \
            removes the operations before it and the snapshots before it (but those of named \
            versions, which stay readable by name). Everything at or after the horizon is \
            unchanged: its texts, history and blame. Versions before it answer a clear error \
            (HTTP 410 version_gone); a client that comes back with such a version gets a \
            snapshot. A horizon at or below the current one changes nothing. Prints, per \
            document, the horizon and what was freed; --dry-run only reports.

            \(HistoryActionOptions.runningServerNote)
            """,
        arguments: [ArgumentSpec("doc", help: "The document id; leave out with --all.", isRequired: false)],
        options: [
            .flag("--all", help: "Compact every document."),
            .option("--keep-versions", value: "n", kind: .nonNegativeInteger,
                    help: "Keep the last n operations of each document."),
            .option("--older-than", value: "duration", kind: .duration,
                    help: "Fold operations stored longer ago than this (30d, 12h)."),
            .flag("--dry-run", help: "Report what would be freed; change nothing."),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        constraints: [.mutuallyExclusive(["--keep-versions", "--older-than"])],
        examples: [
            CommandExample("Keep the last 10,000 operations of notes:", "collab compact notes --keep-versions 10000"),
            CommandExample("See what folding everything older than 90 days would free:",
                           "collab compact --all --older-than 90d --dry-run"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        let doc = arguments.positional("doc")
        guard (doc == nil) == arguments.flag("--all") else {
            throw context.usageError("give a document or --all (not both).")
        }
        let keep = arguments.int("--keep-versions")
        let olderThan = arguments.duration("--older-than")
        guard keep != nil || olderThan != nil else {
            throw context.usageError("give --keep-versions or --older-than.")
        }
        let cutoff = olderThan.map { HistoryActionOptions.now() - Int64($0.components.seconds * 1000) }
        let dryRun = arguments.flag("--dry-run")
        let source = try OperatorSources.open(context)
        let documents: [DocumentInfo]
        if let doc {
            documents = [try source.document(doc)]
        } else {
            documents = try source.documents(prefix: nil)
        }
        let remote = try HistoryActionOptions.remote(context)
        let store = remote == nil ? try OperatorStore.openForWriting(context) : nil
        var freed = 0
        for info in documents {
            let horizon: Int
            if let keep {
                horizon = max(0, info.version - keep)
            } else if let cutoff, let store {
                horizon = try HistoryActionOptions.storage(context) { () throws(StorageError) in
                    try store.version(doc: info.id, atOrBefore: cutoff)
                }
            } else if let cutoff, let remote {
                horizon = try remote.versionAt(doc: info.id, milliseconds: cutoff)
            } else {
                horizon = 0
            }
            let report: CompactionReport
            if let remote {
                let answer = try remote.send("POST", remote.documentPath(info.id, "/compact"), body: .object(JSONObject([
                    ("horizon", .integer(horizon)), ("dryRun", .bool(dryRun)),
                ])))
                report = CompactionReport(doc: info.id, previousHorizon: HistoryActionOptions.integer("previousHorizon", in: answer) ?? 0,
                                          horizon: HistoryActionOptions.integer("horizon", in: answer) ?? 0, opsRemoved: HistoryActionOptions.integer("opsRemoved", in: answer) ?? 0,
                                          snapshotsRemoved: HistoryActionOptions.integer("snapshotsRemoved", in: answer) ?? 0,
                                          bytesRemoved: HistoryActionOptions.integer("bytesRemoved", in: answer) ?? 0)
            } else if let store {
                report = try HistoryActionOptions.history(context) { () throws(DocumentHistoryError) in
                    try store.compact(doc: info.id, horizon: horizon, now: HistoryActionOptions.now(), dryRun: dryRun)
                }
            } else {
                continue
            }
            freed += report.bytesRemoved
            let verb = dryRun ? "would remove" : "removed"
            if report.horizon == report.previousHorizon {
                context.output.printLine("\(info.id): nothing before version \(horizon) to fold (horizon \(report.horizon))")
            } else {
                context.output.printLine("\(info.id): horizon \(report.previousHorizon) → \(report.horizon): \(verb) "
                                         + "\(report.opsRemoved) operations and \(report.snapshotsRemoved) snapshots "
                                         + "(\(kibibytes(report.bytesRemoved)))")
            }
        }
        if documents.count > 1 {
            context.output.printLine("\(dryRun ? "would free" : "freed") \(kibibytes(freed)) in all")
        }
        return ExitStatus.success
    }

    private static func kibibytes(_ bytes: Int) -> String {
        bytes < 10 * 1024 ? "\(bytes) bytes" : "\((bytes + 512) / 1024) KiB"
    }
}
