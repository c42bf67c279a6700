import CollabCLI

/// `collab blame`: shows who last changed each line of a document.
enum BlameCommand {
    static let spec = CommandSpec(
        name: "blame",
        abstract: "Show who last changed each line of a document.",
        discussion: "Prints each line of the current text with the version, user and time of the operation that last changed it.",
        arguments: [CollabCommand.documentArgument],
        options: [CollabCommand.databaseOption],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "operator-commands")
    }
}
