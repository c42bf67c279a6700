import CollabJSON
import CollabOT
@testable import CollabServer
import CollabTestSupport

/// A `TestOTClient` talking to a `Room` through a fake session (`Harness`), with a lagging
/// inbox the test drains at its own pace.
final class SimulatedEditor {
    private let model: TestOTClient
    private(set) var session: Session?
    private(set) var client: FakeClient?

    init(clientId: String) {
        model = TestOTClient(clientId: clientId)
        model.submit = { [unowned self] seq, version, operationJSON in
            session?.sendOp(seq: seq, v: version, operationJSON)
        }
    }

    var clientId: String { model.clientId }
    var document: String { model.document }
    var version: Int? { model.version }
    var problems: [String] { model.problems }
    /// How many times an unacknowledged op was sent again after a reconnect.
    var resubmissions: Int { model.resubmissions }

    var isIdle: Bool {
        model.isSettled && (client.map { $0.consumed == $0.frames.count } ?? false)
    }

    // MARK: - Connection

    /// Opens a connection and joins (with the version held, if any).
    func connect(to harness: Harness) {
        let (session, client) = harness.connect()
        self.session = session
        self.client = client
        session.send(model.joinMessage())
    }

    /// The connection drops: unread messages are lost.
    func drop() {
        session?.connectionClosed()
        session = nil
        client = nil
        model.connectionLost()
    }

    var isConnected: Bool { session != nil }

    // MARK: - Local edits

    /// A random edit of the local document.
    func edit(using random: inout SplitMix64) {
        model.edit(using: &random, alphabet: ["a", "b", "\n", "é", "€", "😀", "\"", "z"])
    }

    /// A random valid presence at the version held.
    func sendPresence(using random: inout SplitMix64) {
        guard model.joined, let session, let version = model.version else { return }
        let length = model.document.unicodeScalars.count
        let anchor = Int.random(in: 0...length, using: &random)
        let head = Int.random(in: 0...length, using: &random)
        session.send("{\"type\":\"presence\",\"v\":\(version),\"selection\":[[\(anchor),\(head)]]}")
    }

    // MARK: - Inbound

    /// Reads up to `limit` unread messages.
    func process(limit: Int = .max) {
        var count = 0
        while count < limit, let client, client.consumed < client.frames.count {
            let message = FakeClient.decode(client.frames[client.consumed])
            client.consumed += 1
            model.handle(message)
            count += 1
        }
    }
}
