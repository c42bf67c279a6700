import CollabCLI

/// `collab import`: creates a document from a text file.
enum ImportCommand {
    static let spec = CommandSpec(
        name: "import",
        abstract: "Create a document from a text file.",
        discussion: "The file must be UTF-8. Its text is stored as the document's first operation, so the document's history starts with the import.",
        arguments: [
            CollabCommand.documentArgument,
            ArgumentSpec("file", help: "The UTF-8 text file to import; - reads standard input."),
        ],
        options: [
            .flag("--force", help: "Replace the text of a document that already exists; the replacement is stored as one new operation."),
            CollabCommand.databaseOption,
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "operator-commands")
    }
}
