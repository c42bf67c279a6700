import CollabAuth
import CollabJSON
import CollabTransport

/// A message from the server (contract §2), encoded by hand for speed.
public enum ServerMessage {
    /// `{"type":"snapshot","version":N,"text":"..."}`.
    case snapshot(version: Int, text: String)
    /// `{"type":"ops","ops":[OP_RECORD, ...]}`: the records' bytes concatenated.
    case ops(ArraySlice<OpRecord>)
    /// `OP_RECORD` on its own.
    case op(OpRecord)
    /// `{"type":"joined",...}` with the other clients' presence.
    case joined(version: Int, clientId: String, role: Role, presence: [PresenceState])
    /// `{"type":"ack","seq":S,"v":V}`.
    case ack(seq: Int, version: Int)
    /// `PRESENCE`.
    case presence(PresenceState)
    /// `{"type":"leave","clientId":"..."}`.
    case leave(clientId: String)
    /// `{"type":"error","code":"...","message":"...","seq":S}` (`seq` only for op errors).
    case error(ErrorCode, message: String, seq: Int?)
    /// `{"type":"pong","id":...}` (no `id` if the ping had none).
    case pong(id: JSONValue?)

    /// The JSON text.
    public var payload: [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    /// A complete WebSocket text frame, shareable by every recipient.
    public var frame: SharedBytes {
        Self.frame(payload: payload)
    }

    /// A text frame carrying `payload`.
    public static func frame(payload: [UInt8]) -> SharedBytes {
        let header = WebSocketFrameEncoder.header(opcode: .text, payloadLength: payload.count)
        return SharedBytes(count: header.count + payload.count) { buffer in
            header.withUnsafeBytes { buffer.copyMemory(from: $0) }
            payload.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: buffer[header.count...]).copyMemory(from: $0)
            }
        }
    }

    /// Appends the JSON text to `bytes`.
    public func encode(into bytes: inout [UInt8]) {
        switch self {
        case .snapshot(let version, let text):
            bytes.reserveCapacity(bytes.count + text.utf8.count + 48)
            append(#"{"type":"snapshot","version":"#, &bytes)
            JSONWriter.appendInteger(version, into: &bytes)
            append(#","text":"#, &bytes)
            JSONWriter.appendString(text, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        case .ops(let records):
            bytes.reserveCapacity(bytes.count + records.reduce(24) { $0 + $1.json.count + 1 })
            append(#"{"type":"ops","ops":["#, &bytes)
            var first = true
            for record in records {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                bytes.append(contentsOf: record.json)
            }
            append("]}", &bytes)
        case .op(let record):
            bytes.append(contentsOf: record.json)
        case .joined(let version, let clientId, let role, let presence):
            append(#"{"type":"joined","version":"#, &bytes)
            JSONWriter.appendInteger(version, into: &bytes)
            append(#","clientId":"#, &bytes)
            JSONWriter.appendString(clientId, into: &bytes)
            append(#","role":"#, &bytes)
            JSONWriter.appendString(role.rawValue, into: &bytes)
            append(#","presence":["#, &bytes)
            for (index, state) in presence.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.appendPresence(state, to: &bytes)
            }
            append("]}", &bytes)
        case .ack(let seq, let version):
            append(#"{"type":"ack","seq":"#, &bytes)
            JSONWriter.appendInteger(seq, into: &bytes)
            append(#","v":"#, &bytes)
            JSONWriter.appendInteger(version, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        case .presence(let state):
            Self.appendPresence(state, to: &bytes)
        case .leave(let clientId):
            append(#"{"type":"leave","clientId":"#, &bytes)
            JSONWriter.appendString(clientId, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        case .error(let code, let message, let seq):
            append(#"{"type":"error","code":"#, &bytes)
            JSONWriter.appendString(code.rawValue, into: &bytes)
            append(#","message":"#, &bytes)
            JSONWriter.appendString(message, into: &bytes)
            if let seq {
                append(#","seq":"#, &bytes)
                JSONWriter.appendInteger(seq, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        case .pong(let id):
            append(#"{"type":"pong""#, &bytes)
            if let id {
                append(#","id":"#, &bytes)
                JSONWriter.write(id, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// A `presence` message's JSON (also the presence inside cluster messages).
    static func appendPresence(_ state: PresenceState, to bytes: inout [UInt8]) {
        OpRecord.appendLiteral(#"{"type":"presence","clientId":"#, to: &bytes)
        JSONWriter.appendString(state.clientId, into: &bytes)
        OpRecord.appendLiteral(#","user":{"id":"#, to: &bytes)
        JSONWriter.appendString(state.userId, into: &bytes)
        OpRecord.appendLiteral(#","name":"#, to: &bytes)
        JSONWriter.appendString(state.name, into: &bytes)
        OpRecord.appendLiteral(#","color":"#, to: &bytes)
        JSONWriter.appendString(state.color, into: &bytes)
        OpRecord.appendLiteral(#"},"v":"#, to: &bytes)
        JSONWriter.appendInteger(state.version, into: &bytes)
        OpRecord.appendLiteral(#","selection":"#, to: &bytes)
        if let selection = state.selection {
            bytes.append(UInt8(ascii: "["))
            for (index, range) in selection.ranges.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(UInt8(ascii: "["))
                JSONWriter.appendInteger(range.anchor, into: &bytes)
                bytes.append(UInt8(ascii: ","))
                JSONWriter.appendInteger(range.head, into: &bytes)
                bytes.append(UInt8(ascii: "]"))
            }
            bytes.append(UInt8(ascii: "]"))
        } else {
            OpRecord.appendLiteral("null", to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private func append(_ literal: StaticString, _ bytes: inout [UInt8]) {
        OpRecord.appendLiteral(literal, to: &bytes)
    }
}
