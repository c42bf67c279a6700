/// An environment variable a command reads directly (not as an option's fallback), for help.
public struct EnvironmentNote: Sendable, Equatable {
    /// The variable's name.
    public var name: String
    /// What it holds and how the command uses it.
    public var help: String

    /// Declares a variable for the ENVIRONMENT section.
    public init(_ name: String, help: String) {
        self.name = name
        self.help = help
    }
}
