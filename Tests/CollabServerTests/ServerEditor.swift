import CollabJSON
import CollabOT
import CollabTestSupport

/// A `TestOTClient` over a real WebSocket to a server started by `ServerTestHarness`.
final class ServerEditor {
    private let client: TestOTClient
    private(set) var connection: ServerTestConnection?

    init(clientId: String) {
        client = TestOTClient(clientId: clientId)
        client.submit = { [unowned self] seq, version, operationJSON in
            connection?.send(#"{"type":"op","seq":\#(seq),"v":\#(version),"op":\#(operationJSON)}"#)
        }
    }

    var clientId: String { client.clientId }
    var document: String { client.document }
    var version: Int? { client.version }
    var joined: Bool { client.joined }
    var problems: [String] { client.problems }
    var isIdle: Bool { client.isSettled }

    func connect(to harness: ServerTestHarness, document name: String) throws {
        let connection = try harness.connect(name)
        self.connection = connection
        connection.send(client.joinMessage())
    }

    /// Connects to the server on `port` (another node of a cluster) and joins.
    func connect(port: Int, document name: String) throws {
        let connection = try ServerTestConnection.webSocket(port: port, path: "/v1/docs/\(name)")
        self.connection = connection
        connection.send(client.joinMessage())
    }

    /// How many unacknowledged ops were sent again after reconnecting.
    var resubmissions: Int { client.resubmissions }

    func drop() {
        connection = nil
        client.connectionLost()
    }

    /// A random local edit (applied at once, sent when nothing awaits an ack).
    func edit(using random: inout SplitMix64) {
        client.edit(using: &random, alphabet: ["a", "b", "\n", "é", "😀", "\"", "z"])
    }

    /// Handles every message already received; with `wait`, blocks for the first one.
    func process(wait: Bool = false) {
        guard let connection else { return }
        var first = wait
        while let message = first ? connection.receive() : connection.receiveIfReady() {
            first = false
            client.handle(message)
        }
    }
}
