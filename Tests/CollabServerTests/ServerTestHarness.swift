import CollabAuth
import CollabJSON
import CollabServer
import CollabTestSupport
import Foundation

/// A real `CollaborationServer` on 127.0.0.1, an ephemeral port and a temporary database.
final class ServerTestHarness {
    private let temporary: TemporaryDirectory
    var directory: URL { temporary.url }
    var databasePath: String { temporary.path() }
    private(set) var server: CollaborationServer?
    static let secret = try! JWTSecret(bytes: Array("a test secret that is long enough, 32+ bytes".utf8))

    /// Starts a server; `configure` adjusts the defaults (open mode, 2 loops, short idle).
    init(secret: JWTSecret? = nil, configure: (inout CollaborationServerConfiguration) -> Void = { _ in }) throws {
        temporary = try TemporaryDirectory(prefix: "server-tests")
        try start(secret: secret, configure: configure)
    }

    /// (Re)starts a server on the same database.
    func start(secret: JWTSecret? = nil, configure: (inout CollaborationServerConfiguration) -> Void = { _ in }) throws {
        var configuration = CollaborationServerConfiguration(databasePath: databasePath)
        configuration.port = 0
        configuration.threads = 2
        configuration.authSecret = secret
        configuration.roomIdleTime = .milliseconds(200)
        configure(&configuration)
        server = try CollaborationServer(configuration: configuration)
    }

    var port: Int { server?.localAddress.port ?? 0 }

    /// Graceful shutdown.
    func stop() {
        server?.shutdown()
        server = nil
    }

    deinit {
        server?.shutdown()
    }

    /// A WebSocket on `/v1/docs/<document>`.
    func connect(_ document: String, token: String? = nil) throws -> ServerTestConnection {
        try ServerTestConnection.webSocket(port: port, path: "/v1/docs/\(document)" + (token.map { "?token=\($0)" } ?? ""))
    }

    /// A request with `method` and a body on a fresh connection.
    func send(_ method: String, _ target: String, body: String? = nil,
              headers: [(String, String)] = []) throws -> (status: Int, body: String) {
        let connection = try ServerTestConnection(port: port)
        let response = try connection.request(target, method: method, body: body, headers: headers)
        return (response.status, response.body)
    }

    /// A GET on a fresh connection.
    func get(_ target: String, headers: [(String, String)] = []) throws -> (status: Int, body: String) {
        let connection = try ServerTestConnection(port: port)
        let response = try connection.request(target, headers: headers)
        return (response.status, response.body)
    }

    /// The document's text over HTTP, nil unless 200.
    func text(of document: String) throws -> String? {
        let response = try get("/v1/docs/\(document)")
        guard response.status == 200 else { return nil }
        return try JSONReader.parse(response.body)["text"]?.string
    }

    /// A token signed with `ServerTestHarness.secret`.
    static func token(sub: String, role: Role = .editor, docs: [String] = ["*"], expiresIn: Int = 3_600) -> String {
        let now = Int(Date().timeIntervalSince1970)
        return JWT.sign(Claims(subject: sub, role: role, documents: docs.map(DocumentPattern.init), expiresAt: now + expiresIn),
                        secret: secret)
    }
}
