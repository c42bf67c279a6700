import CollabCLI
import Synchronization

/// Collects what a command writes to standard output and standard error.
final class OutputCapture: Sendable {
    private let streams = Mutex<(out: String, err: String)>(("", ""))

    var output: CommandOutput {
        CommandOutput(
            standardOutput: { text in self.streams.withLock { $0.out += text } },
            standardError: { text in self.streams.withLock { $0.err += text } })
    }

    var standardOutput: String { streams.withLock { $0.out } }
    var standardError: String { streams.withLock { $0.err } }
}
