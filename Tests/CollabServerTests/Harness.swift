import CollabJSON
import CollabOT
@testable import CollabServer

/// A room on a fake store and clock, with helpers to connect and talk.
final class Harness {
    let store: FakeStore
    let clock = FakeClock()
    let configuration: RoomConfiguration
    var room: Room

    init(configuration: RoomConfiguration = RoomConfiguration(), store: FakeStore = FakeStore()) {
        self.store = store
        self.configuration = configuration
        do {
            room = try Room(documentId: "doc", store: store, clock: clock, configuration: configuration)
        } catch {
            preconditionFailure("load failed: \(error)")
        }
    }

    /// A room holding `count` one-letter ops ("abc…", each appended at the end) committed by
    /// `writer01`, who has left.
    static func seeded(ops count: Int, configuration: RoomConfiguration = RoomConfiguration()) -> Harness {
        let harness = Harness(configuration: configuration)
        let (writer, _) = harness.join("writer01")
        for index in 0..<count {
            let letter = "\"\(Character(Unicode.Scalar(UInt8(97 + index % 26))))\""
            writer.sendOp(seq: index + 1, v: index, index == 0 ? "[\(letter)]" : "[\(index),\(letter)]")
            harness.store.commitAll()
        }
        writer.connectionClosed()
        return harness
    }

    /// A new room on the same store (a server restart).
    func restart() {
        do {
            room = try Room(documentId: "doc", store: store, clock: clock, configuration: configuration)
        } catch {
            preconditionFailure("load failed: \(error)")
        }
    }

    /// Connections opened so far (each new session opens after the previous).
    private var opened: UInt64 = 0

    func connect(_ identity: SessionIdentity = .anonymous) -> (Session, FakeClient) {
        let client = FakeClient()
        return (Session(room: room, client: client, identity: identity, openOrder: nextOpenOrder()), client)
    }

    /// The open order of a connection opened now.
    func nextOpenOrder() -> UInt64 {
        opened += 1
        return opened
    }

    /// Connects and joins; the join answer is taken (consumed) from the client.
    @discardableResult
    func join(_ clientId: String, version: Int? = nil, identity: SessionIdentity = .anonymous,
              user: String = "") -> (Session, FakeClient) {
        let (session, client) = connect(identity)
        let versionPart = version.map { ",\"version\":\($0)" } ?? ""
        session.receive(text: Array("{\"type\":\"join\",\"clientId\":\"\(clientId)\"\(versionPart)\(user)}".utf8))
        _ = client.take()
        return (session, client)
    }

    /// The durable text of the room.
    var text: String {
        (try? room.currentText()) ?? "<error>"
    }
}

extension Session {
    func send(_ json: String) {
        receive(text: Array(json.utf8))
    }

    func sendOp(seq: Int, v: Int, _ op: String) {
        send("{\"type\":\"op\",\"seq\":\(seq),\"v\":\(v),\"op\":\(op)}")
    }
}

/// `{"type":"error",...}` fields, for compact expectations.
func errorOf(_ message: JSONValue?) -> (code: String, seq: Int?)? {
    guard let message, message.type == "error", let code = message["code"]?.string else { return nil }
    return (code, message["seq"]?.int)
}
