import CollabJSON
import CollabOT

/// An editor over a real WebSocket with ot.js's client state machine (synchronized,
/// awaiting an ack, awaiting with a buffer). A record with its own client id and the seq
/// it awaits counts as the ack (contract §2.1).
final class ServerEditor {
    let clientId: String
    private(set) var connection: ServerTestConnection?
    private(set) var document = ""
    private(set) var version: Int?
    private(set) var joined = false
    private var nextSeq = 1
    private(set) var outstanding: (seq: Int, operation: TextOperation)?
    private(set) var buffer: TextOperation?
    private(set) var problems: [String] = []

    init(clientId: String) {
        self.clientId = clientId
    }

    var isIdle: Bool { joined && outstanding == nil && buffer == nil }

    func connect(to harness: ServerTestHarness, document name: String) throws {
        let connection = try harness.connect(name)
        self.connection = connection
        joined = false
        connection.send(#"{"type":"join","clientId":"\#(clientId)"\#(version.map { #","version":\#($0)"# } ?? "")}"#)
    }

    func drop() {
        connection = nil
        joined = false
    }

    /// A random local edit (applied at once, sent when nothing awaits an ack).
    func edit(using random: inout SplitMix64) {
        guard version != nil else { return }
        let length = document.unicodeScalars.count
        let position = Int.random(in: 0...length, using: &random)
        var operation = TextOperation()
        operation.retain(position)
        if length > position && Bool.random(using: &random) {
            operation.delete(Int.random(in: 1...min(3, length - position), using: &random))
        }
        if operation.isNoop || Bool.random(using: &random) {
            let alphabet = ["a", "b", "\n", "é", "😀", "\"", "z"]
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

    private func flush() {
        guard joined, outstanding == nil, let pending = buffer, let version else { return }
        buffer = nil
        outstanding = (nextSeq, pending)
        nextSeq += 1
        submit(seq: nextSeq - 1, version: version, operation: pending)
    }

    private func submit(seq: Int, version: Int, operation: TextOperation) {
        var json: [UInt8] = []
        JSONWriter.write(operation.json, into: &json)
        connection?.send(#"{"type":"op","seq":\#(seq),"v":\#(version),"op":\#(String(decoding: json, as: UTF8.self))}"#)
    }

    /// Handles every message already received; with `wait`, blocks for the first one.
    func process(wait: Bool = false) {
        guard let connection else { return }
        var first = wait
        while let message = first ? connection.receive() : connection.receiveIfReady() {
            first = false
            handle(message)
        }
    }

    private func handle(_ message: JSONValue) {
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
            if message["version"]?.int != version { problems.append("joined at another version") }
            joined = true
            if let outstanding, let version {
                submit(seq: outstanding.seq, version: version, operation: outstanding.operation)
            } else {
                flush()
            }
        case "ack":
            guard let seq = message["seq"]?.int, let v = message["v"]?.int else {
                problems.append("bad ack")
                return
            }
            guard outstanding?.seq == seq else { return }
            if v != version { problems.append("ack v \(v) at version \(String(describing: version))") }
            outstanding = nil
            version = v + 1
            flush()
        case "presence", "leave", "pong":
            break
        default:
            problems.append("unexpected \(message)")
        }
    }

    private func handleRecord(_ record: JSONValue) {
        guard let v = record["v"]?.int, v == version else {
            problems.append("record v \(String(describing: record["v"]?.int)) at version \(String(describing: version))")
            return
        }
        if record["clientId"]?.string == clientId {
            guard let outstanding, record["seq"]?.int == outstanding.seq else {
                problems.append("own op echoed back")
                return
            }
            self.outstanding = nil
            version = v + 1
            flush()
            return
        }
        guard let raw = record["op"], var operation = SimulatedEditor.operation(raw) else {
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
}
