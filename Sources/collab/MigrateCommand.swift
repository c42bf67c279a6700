import CollabCLI

/// `collab migrate`: brings the database schema up to date.
enum MigrateCommand {
    static let spec = CommandSpec(
        name: "migrate",
        abstract: "Bring the database schema up to date.",
        discussion: "Applies the migrations built into this binary that the database has not had yet, each in its own transaction. 'collab serve' does the same at start-up.",
        options: [
            .flag("--dry-run", help: "List the migrations that would run, and change nothing."),
            CollabCommand.databaseOption,
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "storage")
    }
}
