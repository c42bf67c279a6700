#if canImport(Glibc)
import Glibc
#endif
import CollabRedis
import CollabTestSupport
import Foundation

/// A throwaway `redis-server` (Debian's) on a free loopback port, persistence off, with a
/// password; restartable on the same port; killed when released.
final class RedisTestServer {
    static let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let password = "test-password-1"

    let directory: TemporaryDirectory
    let port: Int
    private var process: Process?

    init() throws {
        guard Self.binary != nil else { throw Failure("redis-server is not installed (apt-get install redis-server)") }
        directory = try TemporaryDirectory(prefix: "redis")
        port = try LoopbackPort.free()
        try start()
    }

    var url: RedisURL {
        // Force-unwrapped: the text is made here from a number and a constant.
        try! RedisURL("redis://:\(Self.password)@127.0.0.1:\(port)")
    }

    /// Starts it (again) and waits until it answers PING.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary!)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--requirepass", Self.password, "--dir", directory.url.path, "--daemonize", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? RedisConnection(url: url, timeout: .milliseconds(200)).ping()) != nil { return }
            usleep(20_000)
        }
        throw Failure("redis-server did not answer on port \(port)")
    }

    /// SIGKILL: gone at once, no goodbye to its clients.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        kill()
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
