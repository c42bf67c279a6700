import CollabCLI

/// `collab`: the root command, listing every subcommand.
///
/// To add a subcommand: write `Sources/collab/NameCommand.swift` with an `enum NameCommand`
/// holding `static let spec = CommandSpec(name:abstract:...action: run)` and
/// `static func run(_ context: CommandContext) throws(CLIError) -> Int32`, then list
/// `NameCommand.spec` in `subcommands` below (or in its group's, such as `BenchCommand`).
enum CollabCommand {
    /// The version `collab --version` prints.
    static let version = "0.1.0-dev"

    /// `--db`, shared by every command that opens the database.
    static let databaseOption = OptionSpec.option(
        "--db", value: "path",
        help: "The SQLite database file, or a postgres:// URL.",
        defaultValue: "./collab.sqlite", environment: "COLLAB_DB")

    /// `--server`, `--token` and `--ca-file`: read from a running server instead of `--db`.
    static let remoteOptions: [OptionSpec] = [
        .option("--server", value: "url",
                help: "Read from the collab server at this URL (http:// or https://) instead of --db."),
        .option("--token", value: "token",
                help: "The token to send with --server (see 'collab token').", environment: "COLLAB_TOKEN"),
        .option("--ca-file", value: "path",
                help: "Trust the PEM CA certificates in this file for an https --server."),
    ]

    /// `<doc>`, the document a command works on.
    static let documentArgument = ArgumentSpec(
        "doc", help: "The document id, as in the URL /v1/docs/{docId}.")

    /// `--auth-secret-file`, shared by `serve` and `token`.
    static let authSecretFileOption = OptionSpec.option(
        "--auth-secret-file", value: "path",
        help: "Read the token-signing secret from this file instead of COLLAB_AUTH_SECRET.",
        environment: "COLLAB_AUTH_SECRET_FILE")

    /// The root of the command tree.
    static let spec = CommandSpec(
        name: "collab",
        abstract: "A real-time collaborative text-editing server.",
        discussion: """
            Editors connect over WebSocket and edit documents together; every change is \
            stored in a SQLite database before it is acknowledged. 'collab serve' runs the \
            server; the other commands inspect and maintain the database, and can run while \
            the server does.
            """,
        subcommands: [
            ServeCommand.spec,
            DocsCommand.spec,
            ExportCommand.spec,
            HistoryCommand.spec,
            ShowCommand.spec,
            BlameCommand.spec,
            DiffCommand.spec,
            VersionsCommand.spec,
            TagCommand.spec,
            RestoreCommand.spec,
            CompactCommand.spec,
            DeleteCommand.spec,
            VerifyCommand.spec,
            ImportCommand.spec,
            CopyCommand.spec,
            TokenCommand.spec,
            MigrateCommand.spec,
            BenchCommand.spec,
        ],
        examples: [
            CommandExample("Serve on port 8080 with tokens signed by the secret in a file:",
                           "collab serve --auth-secret-file /etc/collab/secret"),
            CommandExample("Make a token for Ada, valid for 8 hours on the notes documents:",
                           "collab token --sub ada --role editor --docs 'notes-*' --ttl 8h"),
            CommandExample("Save a document's current text to a file:",
                           "collab export notes-2025 -o notes.txt"),
        ],
        version: version)
}
