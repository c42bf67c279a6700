import CollabJSON
import CollabTransport
@testable import CollabServer

/// A connection that records every frame and the close.
final class FakeClient: RoomClient {
    var frames: [SharedBytes] = []
    var closeCode: WebSocketCloseCode?
    var queuedBytes = 0
    /// How many messages the test has consumed with `take()`.
    var consumed = 0

    func send(_ frame: SharedBytes) {
        precondition(closeCode == nil, "frame sent after close")
        frames.append(frame)
    }

    func close(code: WebSocketCloseCode, reason: String) {
        precondition(closeCode == nil, "closed twice")
        closeCode = code
    }

    /// Every message received, decoded.
    var messages: [JSONValue] { frames.map(Self.decode) }

    /// Messages not yet taken, and marks them taken.
    func take() -> [JSONValue] {
        let new = frames[consumed...].map(Self.decode)
        consumed = frames.count
        return new
    }

    /// Payload of a server text frame (unmasked), as JSON.
    static func decode(_ frame: SharedBytes) -> JSONValue {
        let bytes = frame.array
        precondition(bytes[0] == 0x81, "not a final text frame")
        var offset = 2
        var length = Int(bytes[1] & 0x7F)
        if length == 126 {
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            length = 0
            for index in 2..<10 { length = length << 8 | Int(bytes[index]) }
            offset = 10
        }
        precondition(bytes.count == offset + length, "frame length mismatch")
        do {
            return try JSONReader.parse(Array(bytes[offset...]))
        } catch {
            preconditionFailure("server sent invalid JSON: \(error)")
        }
    }

    static func payloadText(_ frame: SharedBytes) -> String {
        let bytes = frame.array
        let length = Int(bytes[1] & 0x7F)
        let offset = length == 126 ? 4 : (length == 127 ? 10 : 2)
        return String(decoding: bytes[offset...], as: UTF8.self)
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var int: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var type: String? { self["type"]?.string }
}
