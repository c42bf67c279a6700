/// A command-line program: a tree of `CommandSpec`s, parsed and run with an explicit
/// environment and output so that it can be tested without a process.
public struct CommandLineTool: Sendable {
    /// The root command (`collab`).
    public let root: CommandSpec
    /// How help is laid out.
    public var helpFormatter: HelpFormatter

    /// Makes a tool; the declaration is checked for mistakes in debug builds.
    public init(root: CommandSpec, helpFormatter: HelpFormatter = HelpFormatter()) {
        let problems = root.declarationProblems()
        assert(problems.isEmpty, "command declaration: " + problems.joined(separator: "; "))
        self.root = root
        self.helpFormatter = helpFormatter
    }

    /// Parses `arguments` (without the program name) against the command tree.
    public func parse(_ arguments: [String],
                      environment: [String: String]) throws(CLIError) -> ParseOutcome {
        try CommandLineParser(root: root, environment: environment, formatter: helpFormatter)
            .parse(arguments)
    }

    /// Parses and runs: help and version go to standard output with status 0, errors to
    /// standard error with status 2 (usage) or 1 (failure). Returns the exit status.
    public func run(_ arguments: [String], environment: [String: String],
                    output: CommandOutput) -> Int32 {
        do throws(CLIError) {
            switch try parse(arguments, environment: environment) {
            case .help(_, let text):
                output.standardOutput(text)
                return ExitStatus.success
            case .version(let version):
                output.printLine(version)
                return ExitStatus.success
            case .run(let parsed):
                guard let action = parsed.command.action else {
                    output.standardOutput(helpFormatter.help(for: parsed.command,
                                                             path: parsed.commandPath))
                    return ExitStatus.success
                }
                return try action(CommandContext(arguments: parsed, environment: environment,
                                                 output: output))
            }
        } catch {
            output.printDiagnostic(error.description)
            return error.exitCode
        }
    }
}
