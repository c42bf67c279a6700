#if canImport(Glibc)
import Glibc
#endif
import CollabJSON
import CollabTestSupport
import Foundation
import Testing

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
        databaseURL = try postgres.freshDatabaseURL()
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
        port = try LoopbackPort.free()
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
            if LoopbackPort.accepts(port) { return }
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
