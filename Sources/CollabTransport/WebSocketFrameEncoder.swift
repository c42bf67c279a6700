/// Encodes outgoing frames: unmasked for a server, masked with a fresh random key for a client.
public struct WebSocketFrameEncoder: Sendable {
    /// Which end is sending; a client masks every frame.
    public let role: WebSocketRole

    /// Creates an encoder for `role`.
    public init(role: WebSocketRole) {
        self.role = role
    }

    /// The frame header (2 to 14 bytes) for a payload of `payloadLength` bytes.
    ///
    /// A server can write this header followed by a shared payload buffer (writev) without
    /// copying the payload; a client must mask, so it uses `encode` instead.
    public static func header(opcode: WebSocketOpcode, payloadLength: Int, fin: Bool = true,
                              maskingKey: WebSocketMaskingKey? = nil) -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(14)
        header.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        switch payloadLength {
        case ..<126:
            header.append(maskBit | UInt8(payloadLength))
        case ...0xFFFF:
            header.append(maskBit | 126)
            header.append(UInt8(truncatingIfNeeded: payloadLength >> 8))
            header.append(UInt8(truncatingIfNeeded: payloadLength))
        default:
            header.append(maskBit | 127)
            let length = UInt64(payloadLength)
            for shift in stride(from: 56, through: 0, by: -8) {
                header.append(UInt8(truncatingIfNeeded: length >> UInt64(shift)))
            }
        }
        if let key = maskingKey { header.append(contentsOf: key.bytes) }
        return header
    }

    /// A complete frame: header plus payload, masked with a random key in the client role.
    public func encode(opcode: WebSocketOpcode, payload: [UInt8], fin: Bool = true) -> [UInt8] {
        encode(opcode: opcode, payload: payload, fin: fin,
               maskingKey: role == .client ? .random() : nil)
    }

    /// A complete frame masked with `maskingKey` (nil: unmasked); for tests and known answers.
    public func encode(opcode: WebSocketOpcode, payload: [UInt8], fin: Bool = true,
                       maskingKey: WebSocketMaskingKey?) -> [UInt8] {
        var frame = Self.header(opcode: opcode, payloadLength: payload.count, fin: fin, maskingKey: maskingKey)
        let headerLength = frame.count
        frame.append(contentsOf: payload)
        if let key = maskingKey {
            frame.withUnsafeMutableBytes { all in
                key.apply(to: UnsafeMutableRawBufferPointer(rebasing: all[headerLength...]))
            }
        }
        return frame
    }

    /// A complete text frame.
    public func encodeText(_ text: String) -> [UInt8] {
        encode(opcode: .text, payload: Array(text.utf8))
    }

    /// A complete close frame carrying `code` and `reason` (reason cut to 123 bytes); nil code: empty payload.
    public func encodeClose(code: WebSocketCloseCode?, reason: String = "") -> [UInt8] {
        let payload = code.map { WebSocketClosePayload(code: $0, reason: reason).encoded() } ?? []
        return encode(opcode: .close, payload: payload)
    }
}
