import CollabCLI

/// A small command tree shaped like `collab`, used by the parser and help tests.
enum SampleCommands {
    static let serve = CommandSpec(
        name: "serve",
        abstract: "Run the sample server.",
        options: [
            .option("--host", value: "address", help: "The address to listen on.",
                    defaultValue: "127.0.0.1", environment: "SAMPLE_HOST"),
            .option("--port", short: "p", value: "port", kind: .integer(1...65_535),
                    help: "The TCP port to listen on.", defaultValue: "8080",
                    environment: "SAMPLE_PORT"),
            .option("--ttl", value: "duration", kind: .duration, help: "How long sessions last.",
                    defaultValue: "8h", environment: "SAMPLE_TTL"),
            .option("--log-format", value: "format", kind: .choice(["text", "json"]),
                    help: "How log lines look.", defaultValue: "text"),
            .repeatable("--allowed-origin", value: "origin", help: "An origin to accept.",
                        environment: "SAMPLE_ORIGINS"),
            .flag("--json", help: "Print JSON."),
            .flag("--insecure-open", help: "Allow open mode anywhere.",
                  environment: "SAMPLE_INSECURE_OPEN"),
            .option("--output", short: "o", value: "file", help: "Where to write."),
            .option("--tls-cert", value: "path", help: "A certificate."),
            .option("--tls-key", value: "path", help: "A private key."),
            .option("--offset", value: "n", kind: .anyInteger, help: "A signed number."),
        ],
        constraints: [.together(["--tls-cert", "--tls-key"])],
        action: { _ throws(CLIError) in 0 })

    static let export = CommandSpec(
        name: "export",
        abstract: "Write a document.",
        discussion: "Without --version or --at the current text is written.",
        arguments: [ArgumentSpec("doc", help: "The document id.")],
        options: [
            .option("--version", value: "n", kind: .nonNegativeInteger, help: "The version to write."),
            .option("--at", value: "time", help: "The time to write it as of."),
            .option("--output", short: "o", value: "file",
                    help: "Write to this file instead of standard output."),
        ],
        constraints: [.mutuallyExclusive(["--version", "--at"])],
        examples: [CommandExample("Save version 3 of notes:", "tool export notes --version 3 -o notes.txt")],
        action: { context throws(CLIError) in
            context.output.printLine("exported \(context.arguments.positional("doc") ?? "")")
            return 0
        })

    static let show = CommandSpec(
        name: "show",
        abstract: "Print a document at one version.",
        arguments: [ArgumentSpec("doc", help: "The document id.")],
        options: [.option("--version", value: "n", kind: .nonNegativeInteger,
                          help: "The version.", isRequired: true)],
        action: { _ throws(CLIError) in 0 })

    static let concat = CommandSpec(
        name: "concat",
        abstract: "Join files.",
        arguments: [
            ArgumentSpec("target", help: "The file to write."),
            ArgumentSpec("files", help: "The files to join.", isRequired: false, isVariadic: true),
        ],
        action: { _ throws(CLIError) in 0 })

    static let fail = CommandSpec(
        name: "fail",
        abstract: "Always fail.",
        action: { context throws(CLIError) in
            throw context.failure("the disk is full")
        })

    static let bench = CommandSpec(
        name: "bench",
        abstract: "Measure things.",
        subcommands: [
            CommandSpec(name: "ot", abstract: "Measure the OT engine.",
                        options: [.option("--runs", value: "count", kind: .integer(1...100),
                                          help: "How many runs.", defaultValue: "5")],
                        action: { _ throws(CLIError) in 0 }),
        ])

    static let root = CommandSpec(
        name: "tool",
        abstract: "A sample tool.",
        subcommands: [serve, export, show, concat, fail, bench],
        version: "1.2.3")

    static let tool = CommandLineTool(root: root)

    /// Parses and returns the selected command's arguments, failing the test on help or version.
    static func parse(_ words: [String], environment: [String: String] = [:]) throws(CLIError) -> ParsedArguments {
        switch try tool.parse(words, environment: environment) {
        case .run(let parsed): return parsed
        case .help, .version: throw CLIError.failure("expected a command to run", commandPath: [])
        }
    }

    /// The error parsing `words` throws, or nil if it parses.
    static func error(_ words: [String], environment: [String: String] = [:]) -> CLIError? {
        do {
            _ = try tool.parse(words, environment: environment)
            return nil
        } catch {
            return error
        }
    }
}
