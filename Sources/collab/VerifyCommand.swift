import CollabCLI
import CollabStorage

/// `collab verify`: checks that stored history replays to the stored text.
enum VerifyCommand {
    static let spec = CommandSpec(
        name: "verify",
        abstract: "Check that stored history replays to the stored text.",
        discussion: """
            Replays the operations of every document (or of <doc> alone) from version 0 and \
            checks that versions have no gaps, that every operation decodes and fits the \
            text, that the length and deleted text stored with each operation match, that \
            every snapshot's checksum matches its text and its text matches the replay, that \
            each client's seq grows with its versions, and that the documents and clients \
            tables agree. Prints one line per document ('ok' or 'FAIL' and \
            each problem). Exits 1 if any document fails.
            """,
        arguments: [ArgumentSpec("doc", help: "Check only this document.", isRequired: false)],
        options: [CollabCommand.databaseOption],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let store = try OperatorStore.openForReading(context)
        let path = OperatorStore.path(context)
        let verifier = StoreVerifier(store: store)
        let allIDs: [String]
        do {
            allIDs = try verifier.documentIDs()
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
        var ids = allIDs
        if let doc = context.arguments.positional("doc") {
            guard allIDs.contains(doc) else {
                throw OperatorStore.failure(context, DocumentHistoryError.unknownDocument(doc), path: path)
            }
            ids = [doc]
        }
        let width = ids.map(\.count).max() ?? 0
        var failed: [String] = []
        for doc in ids {
            let result: DocumentVerification
            do {
                result = try verifier.verify(doc: doc)
            } catch {
                throw OperatorStore.failure(context, error, path: path)
            }
            let name = OperatorStore.rightPadded(doc, width)
            if result.isIntact {
                context.output.printLine("ok    \(name)  \(plural(result.replayedVersion, "op")), "
                                         + plural(result.snapshotsChecked, "snapshot"))
            } else {
                failed.append(doc)
                context.output.printLine("FAIL  \(name)  \(plural(result.problems.count, "problem"))")
                for problem in result.problems {
                    context.output.printLine("        \(problem)")
                }
            }
        }
        guard failed.isEmpty else {
            context.output.printDiagnostic(
                "error: \(failed.count) of \(plural(ids.count, "document")) failed verification "
                    + "(\(failed.joined(separator: ", "))). Keep a copy of \(path) before repairing it; "
                    + "'collab export' still writes each version the replay reaches.")
            return ExitStatus.failure
        }
        if ids.isEmpty {
            context.output.printDiagnostic("no documents to verify")
        }
        return ExitStatus.success
    }

    /// "1 op", "2 ops".
    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
