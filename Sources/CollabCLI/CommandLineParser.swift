/// Turns the words of a command line into a `ParseOutcome`, checking them against the
/// command tree: subcommands first, then the selected command's options and arguments,
/// then the environment fallbacks, defaults and constraints.
struct CommandLineParser {
    let root: CommandSpec
    let environment: [String: String]
    let formatter: HelpFormatter

    func parse(_ arguments: [String]) throws(CLIError) -> ParseOutcome {
        var command = root
        var path = [root.name]
        var index = 0
        var optionsEnded = false
        while !command.subcommands.isEmpty {
            guard index < arguments.count else {
                // A group run bare shows its help, as swift-argument-parser does.
                return help(command, path)
            }
            let token = arguments[index]
            index += 1
            if !optionsEnded {
                if token == "-h" || token == "--help" { return help(command, path) }
                if token == "--version", path.count == 1, let version = command.version {
                    return .version(version)
                }
                if token == "--" {
                    optionsEnded = true
                    continue
                }
                if isOptionLike(token) {
                    let name = optionName(of: token)
                    var known = ["--help"]
                    if path.count == 1, command.version != nil { known.append("--version") }
                    throw CLIError(.unknownOption(name, suggestion: SpellingSuggestion.closest(
                        to: name, among: known)), commandPath: path)
                }
                if token == "help" {
                    return try helpRequest(from: command, path: path, names: arguments[index...])
                }
            }
            guard let subcommand = command.subcommand(named: token) else {
                throw unknownSubcommand(token, of: command, path: path)
            }
            command = subcommand
            path.append(token)
        }
        return try parseLeaf(command, path: path, tokens: Array(arguments[index...]),
                             optionsEnded: optionsEnded)
    }

    // MARK: - Help

    private func help(_ command: CommandSpec, _ path: [String]) -> ParseOutcome {
        .help(commandPath: path, text: formatter.help(for: command, path: path))
    }

    /// `collab help bench ot`: the words after `help` name the command to describe.
    private func helpRequest(from start: CommandSpec, path startPath: [String],
                             names: ArraySlice<String>) throws(CLIError) -> ParseOutcome {
        var command = start
        var path = startPath
        for name in names {
            // `collab help help` describes the root, like `collab help`.
            if name == "help", !command.subcommands.isEmpty, path.count == 1 { continue }
            guard !command.subcommands.isEmpty else {
                throw CLIError(.unexpectedArgument(name), commandPath: startPath)
            }
            guard let subcommand = command.subcommand(named: name) else {
                throw unknownSubcommand(name, of: command, path: path)
            }
            command = subcommand
            path.append(name)
        }
        return help(command, path)
    }

    private func unknownSubcommand(_ name: String, of command: CommandSpec,
                                   path: [String]) -> CLIError {
        let names = command.subcommands.map(\.name)
        return CLIError(.unknownSubcommand(name, suggestion: SpellingSuggestion.closest(
            to: name, among: names)), commandPath: path)
    }

    // MARK: - Options and arguments

    private func parseLeaf(_ command: CommandSpec, path: [String], tokens: [String],
                           optionsEnded alreadyEnded: Bool) throws(CLIError) -> ParseOutcome {
        // Help wins wherever it appears before `--`, even after a mistake.
        if !alreadyEnded {
            for token in tokens {
                if token == "--" { break }
                if token == "-h" || token == "--help" { return help(command, path) }
            }
        }

        var given: [String: [String]] = [:]
        var positionals: [String] = []
        var optionsEnded = alreadyEnded
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if optionsEnded || !isOptionLike(token) {
                positionals.append(token)
                continue
            }
            if token == "--" {
                optionsEnded = true
                continue
            }
            let name = optionName(of: token)
            let inlineValue = token.hasPrefix("--") && name.count < token.count
                ? String(token.dropFirst(name.count + 1)) : nil
            guard let option = command.option(named: name) else {
                let names = command.options.flatMap { [$0.long] + ($0.short.map { ["-\($0)"] } ?? []) }
                throw CLIError(.unknownOption(name, suggestion: SpellingSuggestion.closest(
                    to: name, among: names + ["--help"])), commandPath: path)
            }
            guard let kind = option.valueKind else {
                if inlineValue != nil { throw CLIError(.unexpectedValue(option: name), commandPath: path) }
                given[option.long, default: []].append("true")
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < tokens.count, !isOptionLike(tokens[index]) {
                value = tokens[index]
                index += 1
            } else {
                throw CLIError(.missingValue(option: name), commandPath: path)
            }
            try check(value, of: option, kind: kind, source: .commandLine, path: path)
            given[option.long, default: []].append(value)
        }

        let entries = try resolveOptions(command, given: given, path: path)
        try checkConstraints(command, entries: entries, path: path)
        let assigned = try assignPositionals(command, positionals: positionals, path: path)
        return .run(ParsedArguments(command: command, commandPath: path, entries: entries,
                                    positionalValues: assigned))
    }

    /// Command line first, then the environment, then the default; required options
    /// must come from one of the first two.
    private func resolveOptions(_ command: CommandSpec, given: [String: [String]],
                                path: [String]) throws(CLIError) -> [String: ParsedArguments.Entry] {
        var entries: [String: ParsedArguments.Entry] = [:]
        for option in command.options {
            if let values = given[option.long] {
                entries[option.long] = .init(values: values, source: .commandLine)
                continue
            }
            // An empty variable counts as unset (a common way to "unset" in compose files).
            if let variable = option.environmentVariable, let raw = environment[variable],
               !raw.isEmpty {
                let source = ValueSource.environment(variable)
                guard let kind = option.valueKind else {
                    guard let isSet = Self.booleanValue(raw) else {
                        throw CLIError(.invalidValue(
                            raw, option: option.long, source: source,
                            expected: "1 or 0, true or false, yes or no, on or off",
                            suggestion: nil), commandPath: path)
                    }
                    entries[option.long] = .init(values: [isSet ? "true" : "false"], source: source)
                    continue
                }
                let values = option.isRepeatable
                    ? raw.split(separator: ",").map(trimmingSpaces).filter { !$0.isEmpty }
                    : [raw]
                for value in values {
                    try check(value, of: option, kind: kind, source: source, path: path)
                }
                entries[option.long] = .init(values: values, source: source)
                continue
            }
            if option.isRequired {
                throw CLIError(.missingOption(option.long), commandPath: path)
            }
            if let value = option.defaultValue, let kind = option.valueKind {
                try check(value, of: option, kind: kind, source: .defaultValue, path: path)
                entries[option.long] = .init(values: [value], source: .defaultValue)
            }
        }
        return entries
    }

    private func checkConstraints(_ command: CommandSpec, entries: [String: ParsedArguments.Entry],
                                  path: [String]) throws(CLIError) {
        // Defaults and flags turned off through the environment do not count as given.
        func isGiven(_ name: String) -> Bool {
            guard let entry = entries[name], entry.source != .defaultValue else { return false }
            return entry.values != ["false"] || command.option(named: name)?.valueKind != nil
        }
        for constraint in command.constraints {
            switch constraint {
            case .mutuallyExclusive(let names):
                let present = names.filter(isGiven)
                if present.count > 1 {
                    throw CLIError(.conflictingOptions(present[0], present[1]), commandPath: path)
                }
            case .together(let names):
                if let present = names.first(where: isGiven),
                   let missing = names.first(where: { !isGiven($0) }) {
                    throw CLIError(.missingCompanion(given: present, missing: missing),
                                   commandPath: path)
                }
            }
        }
    }

    private func assignPositionals(_ command: CommandSpec, positionals: [String],
                                   path: [String]) throws(CLIError) -> [String: [String]] {
        var remaining = positionals[...]
        var assigned: [String: [String]] = [:]
        for argument in command.arguments {
            if argument.isVariadic {
                if argument.isRequired && remaining.isEmpty {
                    throw CLIError(.missingArgument(argument.name), commandPath: path)
                }
                assigned[argument.name] = Array(remaining)
                remaining = []
            } else if let value = remaining.popFirst() {
                assigned[argument.name] = [value]
            } else if argument.isRequired {
                throw CLIError(.missingArgument(argument.name), commandPath: path)
            }
        }
        if let extra = remaining.first {
            throw CLIError(.unexpectedArgument(extra), commandPath: path)
        }
        return assigned
    }

    private func check(_ value: String, of option: OptionSpec, kind: OptionValueKind,
                       source: ValueSource, path: [String]) throws(CLIError) {
        if case .failure(let invalid) = kind.validate(value) {
            throw CLIError(.invalidValue(value, option: option.long, source: source,
                                         expected: invalid.expected, suggestion: invalid.suggestion),
                           commandPath: path)
        }
    }

    // MARK: - Words

    /// Whether a word is an option rather than a value: it starts with a dash, but a lone
    /// `-` (standard input) and negative numbers are values.
    private func isOptionLike(_ token: String) -> Bool {
        guard token.hasPrefix("-"), token.count > 1 else { return false }
        let rest = token.dropFirst()
        return !rest.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    }

    /// `--port=8080` names `--port`; short options take no `=` form.
    private func optionName(of token: String) -> String {
        guard token.hasPrefix("--"), let equals = token.firstIndex(of: "=") else { return token }
        return String(token[..<equals])
    }

    private func trimmingSpaces(_ text: Substring) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    private static func booleanValue(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: return nil
        }
    }
}
