#if canImport(Glibc)
import Glibc
#endif
import CollabJSON
import CollabTestSupport
import Foundation
import Testing

/// Starts one `PostgresTestCluster` around a whole suite and deletes it afterwards.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        try await PostgresTestCluster.withCluster(function)
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// A throwaway PostgreSQL cluster for the suite.
    static var postgresCluster: PostgresClusterTrait { PostgresClusterTrait() }
}

/// A cluster of `collab serve` processes on one fresh PostgreSQL database (and, if asked, one
/// throwaway Redis), each on an ephemeral loopback port.
final class ClusterFixture {
    let postgres: PostgresTestCluster
    let databaseURL: String
    let redis: RedisProcess?
    private(set) var nodes: [CollabProcess?]
    let binary: URL

    init(nodes count: Int, redis withRedis: Bool, extraArguments: [String] = []) throws {
        postgres = try PostgresTestCluster.running()
        binary = try #require(CollabProcess.binary, "the collab executable was not built next to the tests")
        let name = "c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try postgres.createDatabase(name)
        let user = Self.percentEncoded(PostgresTestCluster.scramUser)
        let password = Self.percentEncoded(PostgresTestCluster.scramPassword)
        databaseURL = "postgres://\(user):\(password)@127.0.0.1:\(postgres.port)/\(name)"
        redis = withRedis ? try RedisProcess() : nil
        nodes = []
        for index in 0..<count {
            nodes.append(try start(node: index, extraArguments: extraArguments))
        }
    }

    /// Starts node `index` (again).
    @discardableResult
    func start(node index: Int, extraArguments: [String] = []) throws -> CollabProcess {
        var arguments = ["--node-id", "n\(index)", "--log-level", "warning"] + extraArguments
        if let redis { arguments += ["--pubsub", redis.url] }
        let process = try CollabProcess(binary: binary, database: databaseURL, arguments: arguments)
        if index < nodes.count { nodes[index] = process } else { nodes.append(process) }
        return process
    }

    /// The port of node `index`.
    func port(_ index: Int) -> Int { nodes[index]!.port }

    /// The process id of node `index`, if running.
    func pid(node index: Int) -> Int32? { nodes[index]?.process.processIdentifier }

    /// What node `index` logged.
    func log(node index: Int) -> String { nodes[index]?.log ?? "" }

    /// SIGKILL of node `index`.
    func kill(node index: Int) {
        nodes[index]?.kill()
        nodes[index] = nil
    }

    /// `GET target` on node `index`.
    func get(_ target: String, node index: Int) throws -> (status: Int, body: String) {
        let response = try ServerTestConnection(port: port(index)).request(target)
        return (response.status, response.body)
    }

    /// The document's text and version as node `index` serves them.
    func document(_ id: String, node index: Int) throws -> (text: String?, version: Int?) {
        let body = try JSONReader.parse(get("/v1/docs/\(id)", node: index).body)
        return (body["text"]?.string, body["version"]?.int)
    }

    /// The document's op log as node `index` serves it (every page).
    func ops(_ id: String, node index: Int) throws -> [JSONValue] {
        var all: [JSONValue] = []
        while true {
            let page = try JSONReader.parse(get("/v1/docs/\(id)/ops?from=\(all.count)", node: index).body).array ?? []
            all += page
            if page.count < 1_000 { return all }
        }
    }

    /// A metric's value on node `index`.
    func metric(_ name: String, node index: Int) throws -> Double? {
        let text = try get("/metrics", node: index).body
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// A throwaway `redis-server` (Debian's) on a free loopback port, persistence off; restartable.
final class RedisProcess {
    static let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    let directory: TemporaryDirectory
    let port: Int
    private var process: Process?

    init() throws {
        let binary = try #require(Self.binary, "redis-server is not installed (apt-get install redis-server)")
        _ = binary
        directory = try TemporaryDirectory(prefix: "redis")
        port = try TCPPort.free()
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    /// Starts it (again) and waits until its port accepts connections.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary!)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", directory.url.path, "--daemonize", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if TCPPort.accepts(port) { return }
            usleep(20_000)
        }
        throw ServerTestConnection.Failure(description: "redis-server did not listen on \(port)")
    }

    /// SIGKILL.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { kill() }
}

/// Loopback TCP ports.
enum TCPPort {
    static func free() throws -> Int {
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
        guard bound else { throw ServerTestConnection.Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
