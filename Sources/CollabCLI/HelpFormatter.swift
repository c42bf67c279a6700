/// Renders a command's help in the layout of swift-argument-parser: OVERVIEW, USAGE,
/// ARGUMENTS, OPTIONS, SUBCOMMANDS, then ENVIRONMENT and EXAMPLES, wrapped to `width`.
public struct HelpFormatter: Sendable {
    /// The column help text is wrapped at.
    public var width: Int
    /// The column where descriptions start, right of the option labels.
    public var descriptionColumn: Int
    /// Above this many optional options, USAGE shows `[<options>]` instead of each one.
    public var usageOptionLimit: Int

    /// Makes a formatter; the defaults match swift-argument-parser.
    public init(width: Int = 80, descriptionColumn: Int = 26, usageOptionLimit: Int = 6) {
        self.width = width
        self.descriptionColumn = descriptionColumn
        self.usageOptionLimit = usageOptionLimit
    }

    /// The help of `command`, reached by the words `path` (root first, `command` last).
    /// Ends with a newline.
    public func help(for command: CommandSpec, path: [String]) -> String {
        let isRoot = path.count == 1
        var sections: [String] = []
        sections.append(TextWrapping.wrap(command.abstract, width: width, prefix: "OVERVIEW: "))
        if !command.discussion.isEmpty {
            sections.append(TextWrapping.wrap(command.discussion, width: width))
        }
        sections.append(usage(for: command, path: path))

        if !command.arguments.isEmpty {
            let rows = command.arguments.map { row(label: "<\($0.name)>", text: $0.help) }
            sections.append("ARGUMENTS:\n" + rows.joined(separator: "\n"))
        }

        var optionRows = command.options.map { row(label: $0.label, text: describe($0)) }
        if isRoot, command.version != nil {
            optionRows.append(row(label: "--version", text: "Show the version."))
        }
        optionRows.append(row(label: "-h, --help", text: "Show help information."))
        sections.append("OPTIONS:\n" + optionRows.joined(separator: "\n"))

        if !command.subcommands.isEmpty {
            var rows = command.subcommands.map { row(label: $0.name, text: $0.abstract) }
            if isRoot {
                rows.append(row(label: "help", text: "Show subcommand help information."))
            }
            let helpPath = ([path[0], "help"] + path.dropFirst()).joined(separator: " ")
            let pointer = "  See '\(helpPath) <subcommand>' for detailed help."
            sections.append("SUBCOMMANDS:\n" + rows.joined(separator: "\n") + "\n\n" + pointer)
        }

        if !command.environment.isEmpty {
            let rows = command.environment.map { row(label: $0.name, text: $0.help) }
            sections.append("ENVIRONMENT:\n" + rows.joined(separator: "\n"))
        }

        if !command.examples.isEmpty {
            let blocks = command.examples.map { example in
                TextWrapping.wrap(example.description, width: width, prefix: "  ", indent: 2)
                    + "\n" + exampleCommandLine(example.commandLine)
            }
            sections.append("EXAMPLES:\n" + blocks.joined(separator: "\n\n"))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// The USAGE line: required options, optional ones (or `[<options>]` when there are
    /// many), mutually exclusive ones as `[--a <a> | --b <b>]`, then the arguments.
    func usage(for command: CommandSpec, path: [String]) -> String {
        let lead = "USAGE: " + path.joined(separator: " ") + " "
        var words: [String] = []
        if !command.subcommands.isEmpty {
            words.append("<subcommand>")
        } else {
            words += command.arguments.map(\.usageText)
            let optional = command.options.filter { !$0.isRequired }
            words += command.options.filter(\.isRequired).map(\.usageText)
            if optional.count > usageOptionLimit {
                words.append("[<options>]")
            } else {
                var shown: Set<String> = []
                for option in optional where !shown.contains(option.long) {
                    let group = exclusiveGroup(of: option, in: command)
                        .compactMap { command.option(named: $0) }
                        .filter { !$0.isRequired }
                    if group.count > 1 {
                        words.append("[" + group.map(\.usageText).joined(separator: " | ") + "]")
                        group.forEach { shown.insert($0.long) }
                    } else {
                        words.append("[\(option.usageText)]")
                        shown.insert(option.long)
                    }
                }
            }
        }
        return TextWrapping.wrap(words: words, width: width, prefix: lead, indent: lead.count)
    }

    private func exclusiveGroup(of option: OptionSpec, in command: CommandSpec) -> [String] {
        for case .mutuallyExclusive(let names) in command.constraints where names.contains(option.long) {
            return names
        }
        return [option.long]
    }

    /// An option's help followed by its values, default, repeatability and variable:
    /// "The port. (default: 8080; env: COLLAB_PORT)".
    func describe(_ option: OptionSpec) -> String {
        var notes: [String] = []
        if case .choice(let words) = option.valueKind {
            notes.append("values: " + words.joined(separator: ", "))
        }
        if let shown = option.defaultDescription ?? option.defaultValue {
            notes.append("default: \(shown)")
        }
        if option.isRepeatable {
            notes.append("repeatable")
        }
        if let variable = option.environmentVariable {
            notes.append(option.isRepeatable ? "env: \(variable), comma-separated" : "env: \(variable)")
        }
        guard !notes.isEmpty else { return option.help }
        let parenthetical = "(" + notes.joined(separator: "; ") + ")"
        return option.help.isEmpty ? parenthetical : option.help + " " + parenthetical
    }

    /// An example command indented by 4; a line too long for `width` continues after a
    /// backslash, as it would be typed in a shell.
    func exampleCommandLine(_ commandLine: String) -> String {
        var lines: [String] = []
        var line = "    "
        var lineHasWord = false
        // Lines break only before an option, so an option stays with its value.
        var units: [String] = []
        for word in commandLine.split(separator: " ") {
            if word.hasPrefix("-") || units.isEmpty {
                units.append(String(word))
            } else {
                units[units.count - 1] += " " + word
            }
        }
        for word in units {
            // Room is kept for the " \\" that ends a continued line.
            if lineHasWord, line.count + 1 + word.count + 2 > width {
                lines.append(line + " \\")
                line = "        " + word
            } else {
                line += (lineHasWord ? " " : "") + word
            }
            lineHasWord = true
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// One aligned row: the label indented by 2, its text from `descriptionColumn`, or on
    /// the next line when the label is too wide.
    func row(label: String, text: String) -> String {
        let indented = "  " + label
        guard !text.isEmpty else { return indented }
        if indented.count < descriptionColumn {
            let padded = indented + String(repeating: " ", count: descriptionColumn - indented.count)
            return TextWrapping.wrap(text, width: width, prefix: padded, indent: descriptionColumn)
        }
        let padding = String(repeating: " ", count: descriptionColumn)
        return indented + "\n"
            + TextWrapping.wrap(text, width: width, prefix: padding, indent: descriptionColumn)
    }
}
