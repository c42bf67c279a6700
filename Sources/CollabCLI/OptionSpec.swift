/// An option (`--port 8080`) or a flag (`--json`) of a command.
public struct OptionSpec: Sendable, Equatable {
    /// Whether the option takes a value, and how many times it may be given.
    public enum Arity: Sendable, Equatable {
        /// No value: present or absent.
        case flag
        /// One value; given twice, the last one wins.
        case single(OptionValueKind)
        /// Any number of values, collected in order.
        case repeatable(OptionValueKind)
    }

    /// The long name, dashes included: `--port`.
    public var long: String
    /// A one-letter alias used as `-o FILE`.
    public var short: Character?
    /// The placeholder shown in help: `--port <port>`.
    public var valueName: String
    /// What the option does.
    public var help: String
    /// Value or flag, once or repeatable.
    public var arity: Arity
    /// The value used when neither the command line nor the environment gives one.
    public var defaultValue: String?
    /// Shown as the default in help when the real default is computed at run time ("one per core").
    public var defaultDescription: String?
    /// The environment variable that supplies the value when the command line does not.
    public var environmentVariable: String?
    /// Whether the command fails without it.
    public var isRequired: Bool

    /// Declares an option that takes one value.
    public static func option(
        _ long: String, short: Character? = nil, value valueName: String,
        kind: OptionValueKind = .string, help: String, defaultValue: String? = nil,
        defaultDescription: String? = nil, environment: String? = nil, isRequired: Bool = false
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: valueName, help: help,
                   arity: .single(kind), defaultValue: defaultValue,
                   defaultDescription: defaultDescription, environmentVariable: environment,
                   isRequired: isRequired)
    }

    /// Declares an option that may be given several times; its environment variable holds a
    /// comma-separated list.
    public static func repeatable(
        _ long: String, short: Character? = nil, value valueName: String,
        kind: OptionValueKind = .string, help: String, defaultValue: String? = nil,
        environment: String? = nil, isRequired: Bool = false
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: valueName, help: help,
                   arity: .repeatable(kind), defaultValue: defaultValue, defaultDescription: nil,
                   environmentVariable: environment, isRequired: isRequired)
    }

    /// Declares a flag; its environment variable accepts 1/0, true/false, yes/no, on/off.
    public static func flag(
        _ long: String, short: Character? = nil, help: String, environment: String? = nil
    ) -> OptionSpec {
        OptionSpec(long: long, short: short, valueName: "", help: help, arity: .flag,
                   defaultValue: nil, defaultDescription: nil, environmentVariable: environment,
                   isRequired: false)
    }

    /// The kind of value the option takes; nil for a flag.
    public var valueKind: OptionValueKind? {
        switch arity {
        case .flag: return nil
        case .single(let kind), .repeatable(let kind): return kind
        }
    }

    /// Whether the option may be given more than once to collect several values.
    public var isRepeatable: Bool {
        if case .repeatable = arity { return true }
        return false
    }

    /// The names as help shows them: `-o, --output <file>`.
    var label: String {
        var text = short.map { "-\($0), " } ?? ""
        text += long
        if valueKind != nil { text += " <\(valueName)>" }
        return text
    }

    /// The option as USAGE shows it: `--port <port>`, `--allowed-origin <origin> ...`.
    var usageText: String {
        let name = short.map { "-\($0)" } ?? long
        switch arity {
        case .flag: return name
        case .single: return "\(name) <\(valueName)>"
        case .repeatable: return "\(name) <\(valueName)> ..."
        }
    }
}
