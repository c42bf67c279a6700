/// A frame opcode (4 bits on the wire); values RFC 6455 leaves unassigned are representable.
public struct WebSocketOpcode: Sendable, Hashable, CustomStringConvertible {
    /// The 4-bit value as sent on the wire.
    public let rawValue: UInt8

    /// Creates an opcode from its wire value; nil if it does not fit in 4 bits.
    public init?(rawValue: UInt8) {
        guard rawValue < 0x10 else { return nil }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Continues a fragmented text or binary message.
    public static let continuation = WebSocketOpcode(unchecked: 0x0)
    /// First (or only) frame of a UTF-8 text message.
    public static let text = WebSocketOpcode(unchecked: 0x1)
    /// First (or only) frame of a binary message.
    public static let binary = WebSocketOpcode(unchecked: 0x2)
    /// Close control frame.
    public static let close = WebSocketOpcode(unchecked: 0x8)
    /// Ping control frame.
    public static let ping = WebSocketOpcode(unchecked: 0x9)
    /// Pong control frame.
    public static let pong = WebSocketOpcode(unchecked: 0xA)

    /// Whether this is a control opcode (0x8–0xF); control frames may not be fragmented.
    public var isControl: Bool { rawValue & 0x8 != 0 }

    /// Whether RFC 6455 assigns a meaning to this opcode.
    public var isKnown: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: true
        default: false
        }
    }

    public var description: String {
        switch rawValue {
        case 0x0: "continuation"
        case 0x1: "text"
        case 0x2: "binary"
        case 0x8: "close"
        case 0x9: "ping"
        case 0xA: "pong"
        default: "opcode(0x\(String(rawValue, radix: 16)))"
        }
    }
}
