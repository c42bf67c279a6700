/// Where an option's value came from; the command line wins over the environment,
/// which wins over the declared default.
public enum ValueSource: Sendable, Equatable {
    /// Given on the command line.
    case commandLine
    /// Read from the named environment variable.
    case environment(String)
    /// The option's declared default.
    case defaultValue
}
