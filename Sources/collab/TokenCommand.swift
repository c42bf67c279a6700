import CollabCLI

/// `collab token`: prints a signed access token for a client.
enum TokenCommand {
    static let spec = CommandSpec(
        name: "token",
        abstract: "Print a signed access token for a client.",
        discussion: "Prints an HS256 JWT signed with the server's secret, for the ?token= parameter or an Authorization: Bearer header.",
        options: [
            .option("--sub", value: "user", help: "The user id the token is for.", isRequired: true),
            .option("--name", value: "name", help: "The display name other editors see."),
            .option("--role", value: "role", kind: .choice(["viewer", "editor", "admin"]),
                    help: "What the token allows: viewer reads, editor edits, admin also reads history and metrics.",
                    defaultValue: "editor"),
            .repeatable("--docs", value: "pattern",
                        help: "A document id the token allows; a trailing * matches any suffix.",
                        defaultValue: "*"),
            .option("--ttl", value: "duration", kind: .duration,
                    help: "How long the token is valid, such as 30m, 8h or 2d.", defaultValue: "8h"),
            CollabCommand.authSecretFileOption,
        ],
        examples: [
            CommandExample("A read-only token for two documents, valid for a day:",
                           "collab token --sub bob --role viewer --docs notes --docs plans --ttl 1d"),
        ],
        environment: [
            EnvironmentNote("COLLAB_AUTH_SECRET",
                            help: "The token-signing secret, when --auth-secret-file is not given."),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this command", landsWith: "auth")
    }
}
