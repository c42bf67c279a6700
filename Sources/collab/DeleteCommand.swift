#if canImport(Glibc)
import Glibc
#endif
import CollabCLI
import CollabStorage

/// `collab delete`: removes a document and its whole history.
enum DeleteCommand {
    static let spec = CommandSpec(
        name: "delete",
        abstract: "Delete a document and its whole history.",
        discussion: """
            Removes the document's operations, snapshots, names and client records; nothing \
            else in the database changes, and the id can be used again from version 0. \
            This cannot be undone. It asks for confirmation on a terminal; elsewhere pass \
            --yes. With --server (an admin token) the server first closes every client of \
            the document with close code 4404.

            \(HistoryActionOptions.runningServerNote)
            """,
        arguments: [CollabCommand.documentArgument],
        options: [
            .flag("--yes", help: "Delete without asking."),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        examples: [CommandExample("Delete the document scratch through the running server:",
                                  "collab delete scratch --yes --server http://127.0.0.1:8080 --token $ADMIN")],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        if !context.arguments.flag("--yes") {
            guard isatty(STDIN_FILENO) == 1 else {
                throw context.failure("deleting '\(doc)' cannot be undone; pass --yes to confirm.")
            }
            context.output.printDiagnostic("Delete '\(doc)' and its whole history? This cannot be undone. [y/N]")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                context.output.printDiagnostic("nothing deleted")
                return ExitStatus.failure
            }
        }
        if let remote = try HistoryActionOptions.remote(context) {
            _ = try remote.send("DELETE", remote.documentPath(doc, ""))
        } else {
            let store = try OperatorStore.openForWriting(context)
            _ = try OperatorStore.document(context, store: store, doc: doc)
            try HistoryActionOptions.storage(context) { () throws(StorageError) in try store.purge(doc: doc) }
        }
        context.output.printLine("deleted '\(doc)'")
        return ExitStatus.success
    }
}
