import CollabJSON
import CollabOT
import CollabTestSupport

/// The client half of the contract with ot.js's state machine (synchronized, awaiting an
/// ack, awaiting with a buffer of composed local edits), shared by the test editors that
/// drive a real server over sockets and a `Room` through fake sessions. A record carrying
/// its own client id and the seq it awaits counts as the ack (contract §2.1). How an op
/// reaches the server is the owner's business: `submit`.
final class TestOTClient {
    let clientId: String
    private(set) var document = ""
    private(set) var version: Int?
    private(set) var joined = false
    private var nextSeq = 1
    private(set) var outstanding: (seq: Int, operation: TextOperation)?
    private(set) var buffer: TextOperation?
    /// Anything that broke the contract, for the test to report.
    private(set) var problems: [String] = []
    /// How many times an unacknowledged op was sent again after a reconnect.
    private(set) var resubmissions = 0
    /// Sends an op (`seq`, `v`, the op's JSON) on the current connection.
    var submit: (_ seq: Int, _ version: Int, _ operationJSON: String) -> Void = { _, _, _ in }

    init(clientId: String) {
        self.clientId = clientId
    }

    /// Nothing unacknowledged or unsent, and joined.
    var isSettled: Bool { joined && outstanding == nil && buffer == nil }

    /// The `join` message for a new connection (with the version held, if any).
    func joinMessage() -> String {
        joined = false
        let versionPart = version.map { ",\"version\":\($0)" } ?? ""
        return "{\"type\":\"join\",\"clientId\":\"\(clientId)\"\(versionPart)}"
    }

    /// The connection dropped: wait for the next `joined`.
    func connectionLost() {
        joined = false
    }

    // MARK: - Local edits

    /// A random edit of the local document, inserting text drawn from `alphabet`.
    func edit(using random: inout SplitMix64, alphabet: [String]) {
        guard version != nil else { return }  // no document yet
        let length = document.unicodeScalars.count
        let position = Int.random(in: 0...length, using: &random)
        var operation = TextOperation()
        operation.retain(position)
        if length > position && Bool.random(using: &random) {
            operation.delete(Int.random(in: 1...min(3, length - position), using: &random))
        }
        if operation.isNoop || Bool.random(using: &random) {
            operation.insert((0..<Int.random(in: 1...3, using: &random)).map { _ in
                alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
            }.joined())
        }
        do {
            document = try operation.apply(to: document)
        } catch {
            problems.append("local edit failed: \(error)")
            return
        }
        let composed = buffer.map { TextOperation.compose($0, operation) } ?? operation
        buffer = composed.isNoop ? nil : composed
        flush()
    }

    /// Sends the buffer if nothing is awaiting an ack.
    private func flush() {
        guard joined, outstanding == nil, let pending = buffer, let version else { return }
        buffer = nil
        // Edits that cancel out (type, then delete) leave nothing to send.
        guard !pending.isNoop else { return }
        outstanding = (nextSeq, pending)
        nextSeq += 1
        send(seq: nextSeq - 1, version: version, operation: pending)
    }

    private func send(seq: Int, version: Int, operation: TextOperation) {
        var json: [UInt8] = []
        JSONWriter.write(operation.json, into: &json)
        submit(seq, version, String(decoding: json, as: UTF8.self))
    }

    // MARK: - Inbound

    /// Handles one server message.
    func handle(_ message: JSONValue) {
        switch message.type {
        case "snapshot":
            guard outstanding == nil, buffer == nil else {
                problems.append("snapshot while holding local edits")
                return
            }
            document = message["text"]?.string ?? ""
            version = message["version"]?.int
        case "ops":
            for record in message["ops"]?.array ?? [] { handleRecord(record) }
        case "op":
            handleRecord(message)
        case "joined":
            if message["version"]?.int != version {
                problems.append("joined at \(String(describing: message["version"]?.int)), holding \(String(describing: version))")
            }
            joined = true
            if let outstanding, let version {
                // Its fate is unknown: resubmit with the same seq.
                resubmissions += 1
                send(seq: outstanding.seq, version: version, operation: outstanding.operation)
            } else {
                flush()
            }
        case "ack":
            guard let seq = message["seq"]?.int, let v = message["v"]?.int else {
                problems.append("bad ack")
                return
            }
            guard outstanding?.seq == seq else { return }  // a duplicate ack of a resubmission
            if v != version { problems.append("ack v \(v) while at version \(String(describing: version))") }
            outstanding = nil
            version = v + 1
            flush()
        case "presence", "leave", "pong":
            break
        default:
            problems.append("unexpected message \(message)")
        }
    }

    private func handleRecord(_ record: JSONValue) {
        guard let v = record["v"]?.int, v == version else {
            problems.append("record v \(String(describing: record["v"]?.int)) at version \(String(describing: version))")
            return
        }
        if record["clientId"]?.string == clientId {
            guard let outstanding, record["seq"]?.int == outstanding.seq else {
                problems.append("own op echoed back: \(record)")
                return
            }
            self.outstanding = nil
            version = v + 1
            flush()
            return
        }
        guard let raw = record["op"], var operation = Self.operation(raw) else {
            problems.append("bad op in record")
            return
        }
        if let pending = outstanding {
            let (remote, local) = TextOperation.transform(operation, pending.operation)
            outstanding = (pending.seq, local)
            operation = remote
        }
        if let pending = buffer {
            let (remote, local) = TextOperation.transform(operation, pending)
            buffer = local.isNoop ? nil : local
            operation = remote
        }
        do {
            document = try operation.apply(to: document)
        } catch {
            problems.append("record does not apply: \(error)")
        }
        version = v + 1
    }

    /// A stored op from its JSON (`[]` is the op emptied by transformation).
    static func operation(_ json: JSONValue) -> TextOperation? {
        if case .array(let items) = json, items.isEmpty { return .noop }
        return try? TextOperation(json: json)
    }
}
