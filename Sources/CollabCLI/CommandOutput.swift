import Foundation

/// Where a command writes: data to standard output, diagnostics to standard error.
/// Injected so tests can capture both.
public struct CommandOutput: Sendable {
    /// Writes text to standard output as is.
    public var standardOutput: @Sendable (String) -> Void
    /// Writes text to standard error as is.
    public var standardError: @Sendable (String) -> Void

    /// Makes an output from two writers.
    public init(standardOutput: @escaping @Sendable (String) -> Void,
                standardError: @escaping @Sendable (String) -> Void) {
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// The process's own standard output and standard error.
    public static var standard: CommandOutput {
        // `try?`: a closed pipe (`collab --help | head -1`) is not worth a crash.
        CommandOutput(
            standardOutput: { try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) },
            standardError: { try? FileHandle.standardError.write(contentsOf: Data($0.utf8)) })
    }

    /// Writes one line of data to standard output.
    public func printLine(_ line: String) {
        standardOutput(line + "\n")
    }

    /// Writes one line of diagnostics to standard error.
    public func printDiagnostic(_ line: String) {
        standardError(line + "\n")
    }
}
