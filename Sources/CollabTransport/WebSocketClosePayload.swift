/// The body of a close frame: a status code and an optional UTF-8 reason.
public struct WebSocketClosePayload: Sendable, Hashable {
    /// The status code; `.noStatusReceived` (1005) when the received frame had an empty payload.
    public var code: WebSocketCloseCode
    /// Human-readable reason, at most 123 UTF-8 bytes on the wire.
    public var reason: String

    /// Creates a close payload.
    public init(code: WebSocketCloseCode, reason: String = "") {
        self.code = code
        self.reason = reason
    }

    /// The wire form: code big-endian, then the reason cut at a scalar boundary to fit 123 bytes.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [UInt8(truncatingIfNeeded: code.rawValue >> 8), UInt8(truncatingIfNeeded: code.rawValue)]
        var used = 0
        for scalar in reason.unicodeScalars {
            let utf8 = scalar.utf8
            let width = utf8.count
            guard used + width <= 123 else { break }
            bytes.append(contentsOf: utf8)
            used += width
        }
        return bytes
    }

    /// Parses and validates a received close frame's payload (RFC 6455 §5.5.1, §7.4).
    ///
    /// Empty: code 1005 for the application. One byte: protocol error. A code not allowed on the
    /// wire: protocol error (1002). A reason that is not UTF-8: 1007.
    public static func parse(_ payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketClosePayload {
        if payload.isEmpty { return WebSocketClosePayload(code: .noStatusReceived) }
        guard payload.count >= 2 else { throw .closePayloadTooShort }
        let code = WebSocketCloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
        guard code.isValidOnWire else { throw .invalidCloseCode(code.rawValue) }
        guard let reason = String(validating: payload[2...], as: UTF8.self) else { throw .invalidUTF8 }
        return WebSocketClosePayload(code: code, reason: reason)
    }
}
