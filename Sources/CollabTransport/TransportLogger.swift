#if canImport(Glibc)
import Glibc
#endif

/// Where the transport reports conditions an operator should see (accept back-off, etc.).
public struct TransportLogger: Sendable {
    /// Severity of a message.
    public enum Level: String, Sendable {
        case debug, info, warning, error
    }

    private let sink: @Sendable (Level, String) -> Void

    /// Creates a logger that hands every message to `sink`.
    public init(_ sink: @escaping @Sendable (Level, String) -> Void) {
        self.sink = sink
    }

    /// Writes `[level] message` lines to standard error.
    public static let standardError = TransportLogger { level, message in
        let line = "[collab-transport] [\(level.rawValue)] \(message)\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            _ = Glibc.write(2, buffer.baseAddress, buffer.count)
        }
    }

    /// Drops everything.
    public static let silent = TransportLogger { _, _ in }

    /// Reports `message` at `level`.
    public func log(_ level: Level, _ message: String) {
        sink(level, message)
    }
}
