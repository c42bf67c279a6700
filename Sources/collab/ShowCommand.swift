import CollabCLI

/// `collab show`: prints the text of a document at one version.
enum ShowCommand {
    static let spec = CommandSpec(
        name: "show",
        abstract: "Print the text of a document at one version.",
        arguments: [CollabCommand.documentArgument],
        options: [
            .option("--version", value: "n", kind: .nonNegativeInteger,
                    help: "The version to print (the text after n operations).", isRequired: true),
            CollabCommand.databaseOption,
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "operator-commands")
    }
}
