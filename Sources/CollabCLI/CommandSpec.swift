/// What a command does once its arguments have parsed: returns the process exit status.
public typealias CommandAction = @Sendable (CommandContext) throws(CLIError) -> Int32

/// A command's declaration: its name, its help text, what it accepts and what it runs.
///
/// A command either has subcommands (a group such as `collab bench`) or takes
/// options and arguments itself (a leaf such as `collab serve`).
public struct CommandSpec: Sendable {
    /// The word that selects this command on the command line.
    public var name: String
    /// One line saying what the command does; shown in OVERVIEW and in the parent's SUBCOMMANDS.
    public var abstract: String
    /// Longer prose shown under the overview; paragraphs are separated by blank lines.
    public var discussion: String
    /// Positional arguments, in order.
    public var arguments: [ArgumentSpec]
    /// Options and flags, in the order help lists them.
    public var options: [OptionSpec]
    /// Checks across options (mutually exclusive, needed together).
    public var constraints: [OptionConstraint]
    /// Subcommands, in the order help lists them.
    public var subcommands: [CommandSpec]
    /// Example invocations shown in the EXAMPLES section.
    public var examples: [CommandExample]
    /// Environment variables the command reads that no option names (shown under ENVIRONMENT).
    public var environment: [EnvironmentNote]
    /// The version printed by `--version`; only the root command's is used.
    public var version: String?
    /// What runs when this command is selected; nil on a group prints its help.
    public var action: CommandAction?

    /// Declares a command.
    public init(
        name: String,
        abstract: String,
        discussion: String = "",
        arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [],
        constraints: [OptionConstraint] = [],
        subcommands: [CommandSpec] = [],
        examples: [CommandExample] = [],
        environment: [EnvironmentNote] = [],
        version: String? = nil,
        action: CommandAction? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.constraints = constraints
        self.subcommands = subcommands
        self.examples = examples
        self.environment = environment
        self.version = version
        self.action = action
    }

    /// The option declared under `name` (a long name such as `--port`, or a short one such as `-o`).
    public func option(named name: String) -> OptionSpec? {
        options.first { $0.long == name || ($0.short.map { "-\($0)" } == name) }
    }

    /// The subcommand called `name`.
    public func subcommand(named name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    /// Mistakes in the declaration itself (duplicate names, bad defaults, misplaced
    /// variadic arguments), for this command and all below it; empty when sound.
    public func declarationProblems(path: [String] = []) -> [String] {
        let here = (path + [name]).joined(separator: " ")
        var problems: [String] = []
        var seen: Set<String> = ["--help", "-h"]
        for option in options {
            if !option.long.hasPrefix("--") || option.long.count < 3 {
                problems.append("\(here): option '\(option.long)' must start with '--'")
            }
            for spelled in [option.long] + (option.short.map { ["-\($0)"] } ?? []) {
                if !seen.insert(spelled).inserted {
                    problems.append("\(here): '\(spelled)' is declared twice")
                }
            }
            if let value = option.defaultValue, let kind = option.valueKind,
               case .failure = kind.validate(value) {
                problems.append("\(here): default '\(value)' of '\(option.long)' is not valid")
            }
        }
        for (index, argument) in arguments.enumerated() {
            if argument.isVariadic && index != arguments.count - 1 {
                problems.append("\(here): variadic <\(argument.name)> must be the last argument")
            }
            if argument.isRequired, index > 0, !arguments[index - 1].isRequired {
                problems.append("\(here): required <\(argument.name)> follows an optional argument")
            }
        }
        for constraint in constraints {
            for name in constraint.optionNames where option(named: name) == nil {
                problems.append("\(here): constraint names undeclared option '\(name)'")
            }
        }
        if !subcommands.isEmpty && (!arguments.isEmpty || !options.isEmpty) {
            problems.append("\(here): a command with subcommands takes no options or arguments")
        }
        var names: Set<String> = ["help"]
        for subcommand in subcommands {
            if !names.insert(subcommand.name).inserted {
                problems.append("\(here): subcommand '\(subcommand.name)' is declared twice")
            }
            problems += subcommand.declarationProblems(path: path + [name])
        }
        return problems
    }
}
