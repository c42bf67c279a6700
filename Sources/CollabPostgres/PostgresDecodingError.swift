/// Why `PostgresBackendMessageDecoder` refused the bytes it was fed. Fatal for the connection.
public enum PostgresDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The declared length is below the 4 bytes of the length itself.
    case lengthTooSmall(type: UInt8, length: Int)
    /// The declared length is above the decoder's limit.
    case messageTooLarge(type: UInt8, length: Int, limit: Int)
    /// A message type byte this client does not know.
    case unknownMessageType(UInt8)
    /// A body that does not match its type's layout.
    case malformed(type: UInt8, reason: String)

    public var description: String {
        switch self {
        case .lengthTooSmall(let type, let length):
            return "message '\(Self.name(type))' declares length \(length), below 4"
        case .messageTooLarge(let type, let length, let limit):
            return "message '\(Self.name(type))' declares \(length) bytes, over the limit of \(limit)"
        case .unknownMessageType(let type):
            return "unknown message type '\(Self.name(type))'"
        case .malformed(let type, let reason):
            return "malformed message '\(Self.name(type))': \(reason)"
        }
    }

    private static func name(_ type: UInt8) -> String {
        (0x21...0x7E).contains(type) ? String(UnicodeScalar(type)) : "0x" + String(type, radix: 16)
    }
}
