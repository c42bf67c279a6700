import CollabAuth
import CollabCLI
import Foundation

/// `collab token`: prints a signed access token for a client.
enum TokenCommand {
    static let spec = CommandSpec(
        name: "token",
        abstract: "Print a signed access token for a client.",
        discussion: """
            Prints an HS256 JWT signed with the server's secret, for the ?token= parameter \
            or an Authorization: Bearer header. The secret (at least 32 bytes) comes from \
            --auth-secret-file, else from COLLAB_AUTH_SECRET; without one the command fails.
            """,
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
        let arguments = context.arguments
        let subject = arguments.string("--sub") ?? ""
        guard !subject.isEmpty else { throw context.usageError("'--sub' must not be empty.") }
        let patterns = arguments.strings("--docs").map(DocumentPattern.init)
        if let pattern = patterns.first(where: { !$0.canMatchSomeDocument }) {
            throw context.usageError(
                "'--docs \(pattern)' matches no document id (1-128 of A-Z a-z 0-9 . _ -, first a letter or digit).")
        }
        let ttl = arguments.duration("--ttl")?.components.seconds ?? 0
        guard ttl > 0 else { throw context.usageError("'--ttl' must be longer than 0s.") }
        let role = arguments.string("--role").flatMap(Role.init(rawValue:)) ?? .default

        let secret: JWTSecret?
        do {
            secret = try JWTSecret.configured(secretFile: arguments.string("--auth-secret-file"),
                                              environment: context.environment)
        } catch {
            throw context.failure(error.description)
        }
        guard let secret else {
            throw context.failure(
                "no token-signing secret: set COLLAB_AUTH_SECRET or pass --auth-secret-file (the server's own).")
        }

        let now = Int(Date().timeIntervalSince1970)
        let (expiresAt, overflow) = now.addingReportingOverflow(Int(clamping: ttl))
        guard !overflow else { throw context.usageError("'--ttl' is too long.") }
        let name = arguments.string("--name").flatMap { $0.isEmpty ? nil : $0 }
        let claims = Claims(subject: subject, name: name, role: role, documents: patterns,
                            expiresAt: expiresAt, issuedAt: now)
        context.output.printLine(JWT.sign(claims, secret: secret))
        return ExitStatus.success
    }
}
