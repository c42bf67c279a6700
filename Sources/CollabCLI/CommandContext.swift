/// Everything a command's action gets: its parsed arguments, the environment and the output.
public struct CommandContext: Sendable {
    /// The parsed, checked command line.
    public let arguments: ParsedArguments
    /// The process environment (passed in, never read globally, so tests stay hermetic).
    public let environment: [String: String]
    /// Where to write data and diagnostics.
    public let output: CommandOutput

    /// Makes a context.
    public init(arguments: ParsedArguments, environment: [String: String], output: CommandOutput) {
        self.arguments = arguments
        self.environment = environment
        self.output = output
    }

    /// The command's words joined, such as `collab serve`.
    public var commandName: String {
        arguments.commandPath.joined(separator: " ")
    }

    /// A usage error (exit 2) for a misuse the command detects itself.
    public func usageError(_ message: String) -> CLIError {
        .usage(message, commandPath: arguments.commandPath)
    }

    /// A runtime failure (exit 1).
    public func failure(_ message: String) -> CLIError {
        .failure(message, commandPath: arguments.commandPath)
    }

    /// Says on standard error that `what` is not built yet and which issue brings it;
    /// returns exit status 1.
    public func notAvailableYet(_ what: String, landsWith issue: String) -> Int32 {
        output.printDiagnostic(
            "\(commandName): \(what) is not available yet in this build (it lands with the \(issue) issue)")
        return ExitStatus.failure
    }
}
