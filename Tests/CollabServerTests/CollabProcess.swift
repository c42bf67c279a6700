#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The built `collab serve --port 0` as a child process; the port comes from its start line.
struct CollabProcess {
    /// `collab` sits next to the test bundle in the build directory.
    static let binary: URL? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ].map { $0.appendingPathComponent("collab") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process: Process
    let port: Int

    init(binary: URL, database: String) throws {
        process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--db", database, "--threads", "2"]
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
    }

    /// SIGKILL: no shutdown at all.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
