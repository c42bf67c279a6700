/// An example invocation for the EXAMPLES section of help.
public struct CommandExample: Sendable, Equatable {
    /// What the example does, as a sentence.
    public var description: String
    /// The command line, as typed.
    public var commandLine: String

    /// Declares an example.
    public init(_ description: String, _ commandLine: String) {
        self.description = description
        self.commandLine = commandLine
    }
}
