/// An error that ends a command: a usage error (exit 2, with a pointer to the help) or a
/// runtime failure (exit 1).
public struct CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// An option the command does not have.
        case unknownOption(String, suggestion: String?)
        /// A subcommand the command does not have.
        case unknownSubcommand(String, suggestion: String?)
        /// An option given last, or followed by another option, with no value.
        case missingValue(option: String)
        /// A flag given a value with `--flag=value`.
        case unexpectedValue(option: String)
        /// A value of the wrong shape or out of range.
        case invalidValue(String, option: String, source: ValueSource, expected: String,
                          suggestion: String?)
        /// A required option that was not given.
        case missingOption(String)
        /// A required positional argument that was not given.
        case missingArgument(String)
        /// A positional argument the command has no place for.
        case unexpectedArgument(String)
        /// Two options that cannot be used together.
        case conflictingOptions(String, String)
        /// An option given without the one it needs.
        case missingCompanion(given: String, missing: String)
        /// Any other misuse a command detects itself.
        case invalidUsage(String)
        /// The command was understood but failed.
        case failure(String)
    }

    /// What went wrong.
    public var reason: Reason
    /// The command the error belongs to, such as `["collab", "serve"]`; names the help to see.
    public var commandPath: [String]

    /// Makes an error for the command at `commandPath`.
    public init(_ reason: Reason, commandPath: [String]) {
        self.reason = reason
        self.commandPath = commandPath
    }

    /// A misuse the command found itself (exit 2).
    public static func usage(_ message: String, commandPath: [String]) -> CLIError {
        CLIError(.invalidUsage(message), commandPath: commandPath)
    }

    /// A failure while running (exit 1).
    public static func failure(_ message: String, commandPath: [String]) -> CLIError {
        CLIError(.failure(message), commandPath: commandPath)
    }

    /// Whether the command line itself was wrong.
    public var isUsageError: Bool {
        if case .failure = reason { return false }
        return true
    }

    /// The process exit status: 2 for a usage error, 1 for a failure.
    public var exitCode: Int32 {
        isUsageError ? ExitStatus.usage : ExitStatus.failure
    }

    /// The one-line message, without the "error: " prefix.
    public var message: String {
        switch reason {
        case .unknownOption(let name, let suggestion):
            return "unknown option '\(name)'." + hint(suggestion)
        case .unknownSubcommand(let name, let suggestion):
            return "unknown subcommand '\(name)'." + hint(suggestion)
        case .missingValue(let option):
            return "option '\(option)' needs a value."
        case .unexpectedValue(let option):
            return "option '\(option)' takes no value."
        case .invalidValue(let value, let option, let source, let expected, let suggestion):
            let origin: String
            switch source {
            case .commandLine: origin = "for '\(option)'"
            case .environment(let variable): origin = "in \(variable) (for '\(option)')"
            case .defaultValue: origin = "as the default of '\(option)'"
            }
            return "invalid value '\(value)' \(origin): expected \(expected)." + hint(suggestion)
        case .missingOption(let option):
            return "missing option '\(option)'."
        case .missingArgument(let name):
            return "missing argument <\(name)>."
        case .unexpectedArgument(let argument):
            return "unexpected argument '\(argument)'."
        case .conflictingOptions(let first, let second):
            return "'\(first)' and '\(second)' cannot be used together."
        case .missingCompanion(let given, let missing):
            return "'\(given)' needs '\(missing)' as well."
        case .invalidUsage(let message), .failure(let message):
            return message
        }
    }

    /// The full diagnostic as printed on standard error, without a final newline.
    public var description: String {
        guard isUsageError else { return "error: \(message)" }
        return "error: \(message)\nSee '\(commandPath.joined(separator: " ")) --help'."
    }

    private func hint(_ suggestion: String?) -> String {
        suggestion.map { " Did you mean '\($0)'?" } ?? ""
    }
}
