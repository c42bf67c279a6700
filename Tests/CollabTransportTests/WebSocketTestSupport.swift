@testable import CollabTransport
import CollabTestSupport

let testKey = WebSocketMaskingKey(0x37, 0xFA, 0x21, 0x3D)

/// A frame as a client sends it (masked with `testKey`).
func clientFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
    WebSocketFrameEncoder(role: .client).encode(opcode: opcode, payload: payload, fin: fin, maskingKey: testKey)
}

/// A frame as a server sends it (unmasked).
func serverFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
    WebSocketFrameEncoder(role: .server).encode(opcode: opcode, payload: payload, fin: fin)
}

/// What a decoder produced from a byte stream: frames until the stream ran out or failed.
struct DecodeOutcome: Equatable, CustomStringConvertible {
    var frames: [WebSocketFrame] = []
    var error: WebSocketProtocolError?
    var description: String { "frames: \(frames.map { "\($0.opcode)/\($0.fin)/\($0.payload.count)" }), error: \(String(describing: error))" }
}

/// Feeds `bytes` to a fresh decoder in chunks ending at `cuts` (sorted offsets), pulling frames after each.
func decode(_ bytes: [UInt8], cuts: [Int] = [], role: WebSocketRole = .server,
            maxMessageSize: Int = 1 << 20) -> DecodeOutcome {
    var decoder = WebSocketFrameDecoder(role: role, maxMessageSize: maxMessageSize)
    var outcome = DecodeOutcome()
    var start = 0
    for end in cuts + [bytes.count] where end >= start {
        decoder.append(bytes[start..<end])
        start = end
        do {
            while let frame = try decoder.next() { outcome.frames.append(frame) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

/// Byte-at-a-time feeding.
func decodeBytewise(_ bytes: [UInt8], role: WebSocketRole = .server, maxMessageSize: Int = 1 << 20) -> DecodeOutcome {
    decode(bytes, cuts: Array(0..<bytes.count), role: role, maxMessageSize: maxMessageSize)
}

/// Random chunk boundaries.
func randomCuts(count: Int, using rng: inout SplitMix64) -> [Int] {
    guard count > 1 else { return [] }
    let n = Int.random(in: 0...min(count - 1, 12), using: &rng)
    return (0..<n).map { _ in Int.random(in: 1..<count, using: &rng) }.sorted()
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { b in let s = String(b, radix: 16, uppercase: true); return s.count == 1 ? "0" + s : s }
        .joined(separator: " ")
}
