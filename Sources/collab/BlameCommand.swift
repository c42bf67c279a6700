import CollabCLI
import CollabStorage

/// `collab blame`: shows who last changed each line of a document.
enum BlameCommand {
    static let spec = CommandSpec(
        name: "blame",
        abstract: "Show who last changed each line of a document.",
        discussion: """
            Prints each line of the current text after the version, user and time of the \
            operation that last wrote it, and its line number. Every character belongs to \
            the operation that inserted it; a line (its line feed included) belongs to the \
            newest operation among its characters. So typing in a line or splitting it \
            counts as changing it, while deleting from it does not. The whole op log is \
            replayed, since snapshots keep no authors.

            --json prints one object per line: {"line", "version", "user", "ts", "time", "text"}. \
            With --server the server does the replay (a viewer token for the document is enough).
            """,
        arguments: [CollabCommand.documentArgument],
        options: [
            .flag("--json", help: "Print one JSON object per line of text."),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let lines = try OperatorSources.open(context).blame(doc: doc)
        if context.arguments.flag("--json") {
            for line in lines {
                context.output.printLine(line.json.jsonString)
            }
            return ExitStatus.success
        }
        let versionWidth = lines.map { String($0.version).count }.max() ?? 1
        let userWidth = lines.map(\.user.count).max() ?? 1
        let numberWidth = String(lines.count).count
        for line in lines {
            context.output.printLine(
                OperatorStore.leftPadded(String(line.version), versionWidth) + " ("
                    + OperatorStore.rightPadded(line.user, userWidth) + " "
                    + ISO8601Time.format(milliseconds: line.ts) + " "
                    + OperatorStore.leftPadded(String(line.number), numberWidth) + ")"
                    + (line.text.isEmpty ? "" : " " + line.text))
        }
        return ExitStatus.success
    }
}
