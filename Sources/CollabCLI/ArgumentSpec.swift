/// A positional argument of a command, such as `<doc>`.
public struct ArgumentSpec: Sendable, Equatable {
    /// The name shown as `<name>` and used with `ParsedArguments.positional(_:)`.
    public var name: String
    /// What the argument is.
    public var help: String
    /// Whether the command fails without it.
    public var isRequired: Bool
    /// Whether it takes every remaining positional (only the last argument may).
    public var isVariadic: Bool

    /// Declares a positional argument.
    public init(_ name: String, help: String, isRequired: Bool = true, isVariadic: Bool = false) {
        self.name = name
        self.help = help
        self.isRequired = isRequired
        self.isVariadic = isVariadic
    }

    /// How the argument appears in USAGE: `<doc>`, `[<doc>]`, `<file> ...`.
    var usageText: String {
        let core = isVariadic ? "<\(name)> ..." : "<\(name)>"
        return isRequired ? core : "[\(core)]"
    }
}
