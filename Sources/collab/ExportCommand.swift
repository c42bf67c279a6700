import CollabCLI

/// `collab export`: writes a document's text, now or as it was.
enum ExportCommand {
    static let spec = CommandSpec(
        name: "export",
        abstract: "Write the text of a document, now or as it was.",
        discussion: "Without --version or --at the current text is written.",
        arguments: [CollabCommand.documentArgument],
        options: [
            .option("--version", value: "n", kind: .nonNegativeInteger,
                    help: "Write the text as of this version (after n operations)."),
            .option("--at", value: "time",
                    help: "Write the text as it was at this time, in ISO 8601 (2025-01-31T12:00:00Z)."),
            .option("--format", value: "format", kind: .choice(["text", "json"]),
                    help: "text writes the text alone; json writes {\"id\",\"version\",\"text\"}.",
                    defaultValue: "text"),
            .option("--output", short: "o", value: "file",
                    help: "Write to this file instead of standard output."),
            CollabCommand.databaseOption,
        ],
        constraints: [.mutuallyExclusive(["--version", "--at"])],
        examples: [
            CommandExample("Save the text of notes as it was at version 120:",
                           "collab export notes --version 120 -o notes-v120.txt"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "operator-commands")
    }
}
