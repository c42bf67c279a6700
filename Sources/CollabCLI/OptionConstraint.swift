/// A rule across several options, checked after parsing.
public enum OptionConstraint: Sendable, Equatable {
    /// At most one of these may be given (`--version` or `--at`).
    case mutuallyExclusive([String])
    /// If any of these is given, all must be (`--tls-cert` with `--tls-key`).
    case together([String])

    /// The long names the constraint mentions.
    public var optionNames: [String] {
        switch self {
        case .mutuallyExclusive(let names), .together(let names): return names
        }
    }
}
