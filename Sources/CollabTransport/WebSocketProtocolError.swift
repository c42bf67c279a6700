/// Why the peer's byte stream violates RFC 6455 (or our limits); maps to the close code to send.
public enum WebSocketProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A reserved bit was set but no extension was negotiated.
    case reservedBitsSet
    /// An opcode RFC 6455 does not define.
    case unknownOpcode(UInt8)
    /// A control frame without FIN.
    case fragmentedControlFrame
    /// A control frame with more than 125 payload bytes.
    case controlFrameTooLong(Int)
    /// A server received an unmasked frame.
    case unmaskedFrame
    /// A client received a masked frame.
    case maskedFrame
    /// A 64-bit payload length with its most significant bit set.
    case invalidPayloadLength
    /// A message (summed over fragments) over the configured limit.
    case messageTooBig(limit: Int)
    /// A continuation frame with no fragmented message in progress.
    case unexpectedContinuation
    /// A new text or binary frame while a fragmented message is still open.
    case expectedContinuation
    /// A text message or close reason that is not valid UTF-8.
    case invalidUTF8
    /// A close frame whose payload is a single byte.
    case closePayloadTooShort
    /// A close frame carrying a code that may not appear on the wire.
    case invalidCloseCode(UInt16)

    /// The close code to fail the connection with.
    public var closeCode: WebSocketCloseCode {
        switch self {
        case .invalidUTF8: .invalidPayloadData
        case .messageTooBig: .messageTooBig
        case .reservedBitsSet, .unknownOpcode, .fragmentedControlFrame, .controlFrameTooLong,
             .unmaskedFrame, .maskedFrame, .invalidPayloadLength, .unexpectedContinuation,
             .expectedContinuation, .closePayloadTooShort, .invalidCloseCode:
            .protocolError
        }
    }

    public var description: String {
        switch self {
        case .reservedBitsSet: "reserved bits set without a negotiated extension"
        case .unknownOpcode(let op): "unknown opcode 0x\(String(op, radix: 16))"
        case .fragmentedControlFrame: "fragmented control frame"
        case .controlFrameTooLong(let n): "control frame with \(n) payload bytes (limit 125)"
        case .unmaskedFrame: "unmasked frame from a client"
        case .maskedFrame: "masked frame from a server"
        case .invalidPayloadLength: "64-bit payload length with the most significant bit set"
        case .messageTooBig(let limit): "message over the \(limit)-byte limit"
        case .unexpectedContinuation: "continuation frame without a message in progress"
        case .expectedContinuation: "new data frame while a fragmented message is open"
        case .invalidUTF8: "invalid UTF-8 in a text message or close reason"
        case .closePayloadTooShort: "close frame with a 1-byte payload"
        case .invalidCloseCode(let code): "close code \(code) is not valid on the wire"
        }
    }
}
