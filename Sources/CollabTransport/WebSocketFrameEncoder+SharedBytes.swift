extension WebSocketFrameEncoder {
    /// One unmasked (server) frame, header and payload in a single `SharedBytes`: encode a
    /// broadcast once and queue it to every recipient with `WebSocketServerConnection.send(frame:)`.
    public static func sharedFrame(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer,
                                   fin: Bool = true) -> SharedBytes {
        let header = Self.header(opcode: opcode, payloadLength: payload.count, fin: fin)
        return SharedBytes(count: header.count + payload.count) { buffer in
            header.withUnsafeBytes { buffer.copyMemory(from: $0) }
            if payload.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[header.count...]).copyMemory(from: payload)
            }
        }
    }

    /// One unmasked binary (or other opcode) frame carrying `payload`.
    public static func sharedFrame(opcode: WebSocketOpcode, payload: [UInt8]) -> SharedBytes {
        payload.withUnsafeBytes { sharedFrame(opcode: opcode, payload: $0) }
    }

    /// One unmasked text frame carrying `text`.
    public static func sharedTextFrame(_ text: String) -> SharedBytes {
        var text = text
        return text.withUTF8 { sharedFrame(opcode: .text, payload: UnsafeRawBufferPointer($0)) }
    }
}
