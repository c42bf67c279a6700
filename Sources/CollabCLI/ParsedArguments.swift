/// The options and arguments of one command line, already checked against the command's
/// declaration: every value present has the declared shape and range.
///
/// Options are looked up by their long name (`int("--port")`), positional arguments by
/// their declared name (`positional("doc")`). Asking for a name the command does not
/// declare is a programming error and stops the process.
public struct ParsedArguments: Sendable {
    /// The values of one option and where they came from.
    struct Entry: Sendable, Equatable {
        var values: [String]
        var source: ValueSource
    }

    /// The command that was selected.
    public let command: CommandSpec
    /// The words that selected it, such as `["collab", "bench", "ot"]`.
    public let commandPath: [String]
    let entries: [String: Entry]
    let positionalValues: [String: [String]]

    init(command: CommandSpec, commandPath: [String], entries: [String: Entry],
         positionalValues: [String: [String]]) {
        self.command = command
        self.commandPath = commandPath
        self.entries = entries
        self.positionalValues = positionalValues
    }

    /// The value of an option (the last one if given several times), or nil if absent
    /// and without default.
    public func string(_ option: String) -> String? {
        declaredOption(option, takingValue: true)
        return entries[option]?.values.last
    }

    /// Every value of a repeatable option, in command-line order.
    public func strings(_ option: String) -> [String] {
        declaredOption(option, takingValue: true)
        return entries[option]?.values ?? []
    }

    /// The value of an integer option; its range was checked while parsing.
    public func int(_ option: String) -> Int? {
        let spec = declaredOption(option, takingValue: true)
        precondition(isInteger(spec.valueKind), "\(option) is not declared as an integer")
        return entries[option]?.values.last.flatMap { Int($0) }
    }

    /// The value of a duration option (`30s`, `5m`, `8h`, `2d`).
    public func duration(_ option: String) -> Duration? {
        let spec = declaredOption(option, takingValue: true)
        precondition(spec.valueKind == .duration, "\(option) is not declared as a duration")
        return entries[option]?.values.last.flatMap { DurationSyntax.parse($0) }
    }

    /// Whether a flag is set, on the command line or through its environment variable.
    public func flag(_ flag: String) -> Bool {
        declaredOption(flag, takingValue: false)
        return entries[flag]?.values.last == "true"
    }

    /// Where an option's value came from; nil when it has none.
    public func source(of option: String) -> ValueSource? {
        declaredOption(option, takingValue: nil)
        return entries[option]?.source
    }

    /// The value of a positional argument, or nil if an optional one was left out.
    public func positional(_ name: String) -> String? {
        declaredArgument(name)
        return positionalValues[name]?.first
    }

    /// Every value of a variadic positional argument.
    public func positionals(_ name: String) -> [String] {
        declaredArgument(name)
        return positionalValues[name] ?? []
    }

    @discardableResult
    private func declaredOption(_ name: String, takingValue: Bool?) -> OptionSpec {
        guard let spec = command.options.first(where: { $0.long == name }) else {
            preconditionFailure("'\(commandPath.joined(separator: " "))' declares no option \(name)")
        }
        if let takingValue {
            precondition((spec.valueKind != nil) == takingValue,
                         takingValue ? "\(name) is a flag" : "\(name) is not a flag")
        }
        return spec
    }

    private func declaredArgument(_ name: String) {
        precondition(command.arguments.contains { $0.name == name },
                     "'\(commandPath.joined(separator: " "))' declares no argument <\(name)>")
    }

    private func isInteger(_ kind: OptionValueKind?) -> Bool {
        if case .integer = kind { return true }
        return false
    }
}
