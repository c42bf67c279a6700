import CollabCLI

/// `collab verify`: checks that stored history replays to the stored text.
enum VerifyCommand {
    static let spec = CommandSpec(
        name: "verify",
        abstract: "Check that stored history replays to the stored text.",
        discussion: "Replays the operations of every document (or of <doc> alone) from the start and checks each snapshot against the replayed text. Exits 1 if any document fails, naming it.",
        arguments: [ArgumentSpec("doc", help: "Check only this document.", isRequired: false)],
        options: [CollabCommand.databaseOption],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "operator-commands")
    }
}
