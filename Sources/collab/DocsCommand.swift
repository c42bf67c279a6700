import CollabCLI

/// `collab docs`: lists the documents in the database.
enum DocsCommand {
    static let spec = CommandSpec(
        name: "docs",
        abstract: "List the documents in the database.",
        discussion: "Prints one line per document: its id, its current version and when it last changed.",
        options: [
            CollabCommand.databaseOption,
            .flag("--json", help: "Print one JSON object per line instead of a table."),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "operator-commands")
    }
}
