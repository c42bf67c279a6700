#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Text appended by a reader thread and read by the test.
final class CapturedText: @unchecked Sendable {
    // Unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var text = ""

    func withLock<T>(_ body: (inout String) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&text)
    }
}

/// The built `collab serve --port 0` as a child process; the port comes from its start line.
public final class CollabProcess {
    /// `collab` in the build directory, next to the test bundle.
    public static var binary: URL? { BuiltProduct.collab }

    /// Why the server did not start.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The running server.
    public let process: Process
    /// The port it chose.
    public let port: Int

    /// Starts `collab serve` on an ephemeral loopback port with `database` and two loops, plus
    /// `arguments`; returns once it printed its start line.
    public init(binary: URL, database: String, arguments: [String] = []) throws {
        process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--db", database, "--threads", "2"] + arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Read the start line: "collab: listening on ws://127.0.0.1:PORT (...)".
        var text = ""
        let handle = errors.fileHandleForReading
        while !text.contains("\n") {
            let data = handle.availableData
            guard !data.isEmpty else { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: "ws://127.0.0.1:"),
              let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw Failure(description: "no start line from collab serve: \(text)")
        }
        self.port = port
        // Keep reading its log, so a chatty server never blocks on a full pipe; kept for tests
        // that look at it (`log`).
        let captured = self.captured
        captured.withLock { $0 = text }
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                guard !data.isEmpty else { return }
                captured.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
    }

    private let captured = CapturedText()

    /// What the server wrote to standard error so far.
    public var log: String { captured.withLock { $0 } }

    /// The server's HTTP base URL.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// SIGKILL: no shutdown at all.
    public func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
