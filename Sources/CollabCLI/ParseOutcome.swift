/// What a command line asks for once parsed.
public enum ParseOutcome: Sendable {
    /// Print this help text on standard output and exit 0.
    case help(commandPath: [String], text: String)
    /// Print this version on standard output and exit 0.
    case version(String)
    /// Run the selected command with these arguments.
    case run(ParsedArguments)
}
