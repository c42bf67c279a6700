import Foundation

/// One finished run of an executable: its exit status and everything it printed.
public struct ExecutableRun: Equatable, Sendable {
    public var status: Int32
    public var out: String
    public var err: String

    public init(status: Int32, out: String, err: String) {
        self.status = status
        self.out = out
        self.err = err
    }

    /// Runs `executable` with `arguments` and exactly `environment` in `directory`, writes
    /// `input` to its standard input and closes it, and waits for it.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           directory: URL? = nil, input: String? = nil) throws -> ExecutableRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Outputs are a few KiB, below a pipe's buffer, so reading one after the other cannot block.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ExecutableRun(status: process.terminationStatus,
                             out: String(decoding: outData, as: UTF8.self),
                             err: String(decoding: errData, as: UTF8.self))
    }
}
