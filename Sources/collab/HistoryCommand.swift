import CollabCLI

/// `collab history`: shows who changed a document, and when.
enum HistoryCommand {
    static let spec = CommandSpec(
        name: "history",
        abstract: "Show who changed a document, and when.",
        discussion: "Prints one line per stored operation, oldest first: version, time, user and size.",
        arguments: [CollabCommand.documentArgument],
        options: [
            .option("--from", value: "n", kind: .nonNegativeInteger,
                    help: "Start at this version.", defaultValue: "0"),
            .option("--limit", value: "m", kind: .positiveInteger,
                    help: "Show at most this many operations.", defaultDescription: "all"),
            .option("--user", value: "user",
                    help: "Show only the operations of this user (the token's sub)."),
            .option("--since", value: "time",
                    help: "Show only operations stored at or after this time, in ISO 8601."),
            .flag("--json", help: "Print each operation as a JSON OP_RECORD, one per line."),
            .flag("--ops", help: "Include each operation itself, not just its size."),
            .flag("--follow", help: "Keep running and print operations as they are stored."),
            CollabCommand.databaseOption,
        ],
        examples: [
            CommandExample("Follow the changes Ada makes to notes, as JSON:",
                           "collab history notes --user ada --json --follow"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "operator-commands")
    }
}
