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
        port = try Self.freePort()
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

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
