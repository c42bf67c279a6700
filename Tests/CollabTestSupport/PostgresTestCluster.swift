import Foundation

/// A throwaway PostgreSQL cluster for the integration suites (CollabPostgresTests, the store
/// conformance suite of CollabStorageTests): `initdb` into a temporary directory owned by
/// `postgres`, started with `pg_ctl` on a free loopback port, SCRAM for TCP logins and one role
/// (`md5user`) on MD5, so both methods run every time. Foundation only: each test target makes
/// its own client configuration from `port` and the role constants.
public final class PostgresTestCluster: Sendable {
    /// Debian's binaries of the newest installed major version (/usr/lib/postgresql/N/bin).
    public static let binDirectory: String = {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newest = versions.compactMap(Int.init).max().map(String.init) ?? "15"
        return "/usr/lib/postgresql/\(newest)/bin"
    }()
    public static let database = "collab_test"
    public static let scramUser = "collab_test"
    public static let scramPassword = "scräm pass/w@rd"
    public static let md5User = "md5user"
    public static let md5Password = "md5-secret"

    /// True when initdb, pg_ctl and psql are installed and we can become `postgres`.
    public static var binariesAvailable: Bool {
        ["initdb", "pg_ctl", "psql"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(binDirectory)/\($0)") }
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")
    }

    /// The cluster of the running suite (set by `PostgresClusterTrait`).
    @TaskLocal public static var current: Result<PostgresTestCluster, ClusterError>?

    public struct ClusterError: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    public let port: Int
    public let root: String
    /// Whether the server accepts TLS (it does when the openssl command made it a certificate).
    public let hasTLS: Bool
    private var dataDirectory: String { root + "/data" }

    /// Creates and starts a cluster; throws with the failing command's output.
    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("collab-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        port = try LoopbackPort.free()
        hasTLS = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
        do {
            // A self-signed certificate so sslmode=require runs through our TLS layer too.
            if hasTLS {
                try Self.run(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                              "-subj", "/CN=localhost", "-keyout", root + "/server.key", "-out", root + "/server.crt"])
                try Self.run(["/bin/chmod", "600", root + "/server.key"])
            }
            try Self.run(["/bin/chown", "-R", "postgres:postgres", root])
            try asPostgres(["initdb", "-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                            "--locale=C.UTF-8", "--no-sync"])
            let settings = """
                listen_addresses = '127.0.0.1'
                port = \(port)
                unix_socket_directories = '\(root)'
                password_encryption = 'scram-sha-256'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 20
                shared_buffers = 16MB
                ssl = \(hasTLS ? "on" : "off")
                ssl_cert_file = '\(root)/server.crt'
                ssl_key_file = '\(root)/server.key'
                """
            try appendAsRoot(settings, to: dataDirectory + "/postgresql.conf")
            let hba = """
                local all all trust
                host all \(Self.md5User) 127.0.0.1/32 md5
                host all all 127.0.0.1/32 scram-sha-256
                """
            try hba.write(toFile: dataDirectory + "/pg_hba.conf", atomically: false, encoding: .utf8)
            try start()
            try psql("CREATE ROLE \(Self.scramUser) LOGIN PASSWORD '\(Self.scramPassword)'",
                     "CREATE DATABASE \(Self.database) OWNER \(Self.scramUser)",
                     "SET password_encryption = 'md5'; CREATE ROLE \(Self.md5User) LOGIN PASSWORD '\(Self.md5Password)'")
        } catch {
            stop()
            throw error
        }
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    public func start() throws {
        try asPostgres(["pg_ctl", "start", "-w", "-t", "30", "-D", dataDirectory, "-l", root + "/server.log"])
    }

    /// `pg_ctl stop -m immediate`: backends die without a clean shutdown, like a crash.
    public func stopImmediately() throws {
        try asPostgres(["pg_ctl", "stop", "-w", "-m", "immediate", "-D", dataDirectory])
    }

    /// Stops the server (if running) and deletes the cluster.
    public func stop() {
        _ = try? asPostgres(["pg_ctl", "stop", "-w", "-m", "immediate", "-D", dataDirectory])
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Starts a cluster when the binaries are installed, runs `body` with it as `current` (or
    /// with the start failure), and deletes it afterwards: what each target's suite trait does.
    public static func withCluster(_ body: @Sendable () async throws -> Void) async throws {
        guard binariesAvailable else {
            try await body()
            return
        }
        let cluster: Result<PostgresTestCluster, ClusterError>
        do {
            cluster = .success(try PostgresTestCluster())
        } catch {
            cluster = .failure(ClusterError(description: "cannot start PostgreSQL: \(error)"))
        }
        defer { if case .success(let running) = cluster { running.stop() } }
        try await $current.withValue(cluster) {
            try await body()
        }
    }

    /// The running suite's cluster; throws when it could not start or no trait set one.
    public static func running() throws -> PostgresTestCluster {
        guard let current else {
            throw ClusterError(description: "no cluster: the suite lost its trait")
        }
        return try current.get()
    }

    /// Creates an empty database owned by the SCRAM role (a fresh schema for one test).
    public func createDatabase(_ name: String) throws {
        try psql("CREATE DATABASE \(name) OWNER \(Self.scramUser)")
    }

    /// Runs each of `statements` (one transaction each) as the superuser over the Unix socket.
    public func psql(_ statements: String...) throws {
        try asPostgres(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", root, "-p", String(port), "-U", "postgres",
                        "-d", "postgres"] + statements.flatMap { ["-c", $0] })
    }

    private func appendAsRoot(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + text + "\n").utf8))
        try handle.close()
    }

    @discardableResult
    private func asPostgres(_ arguments: [String]) throws -> String {
        var command = arguments
        command[0] = Self.binDirectory + "/" + command[0]
        // From "/": the postgres user may not enter the test's working directory.
        return try Self.run(["/usr/bin/env", "-C", "/", "/usr/sbin/runuser", "-u", "postgres", "--"] + command)
    }

    /// Runs `arguments` and waits for that process alone (waitpid): pg_ctl leaves a server
    /// behind that inherits descriptors, which Foundation's Process waits on forever.
    @discardableResult
    private static func run(_ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("collab-pg-command-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw ClusterError(description: "cannot run \(arguments[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ClusterError(description: "waitpid failed: errno \(errno)") }
        }
        let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        // WIFEXITED && WEXITSTATUS == 0, spelled out (the macros are not imported).
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw ClusterError(description: "\(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
        return text
    }
}
