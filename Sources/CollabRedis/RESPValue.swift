/// A RESP2 value, as Redis sends it (https://redis.io/docs/reference/protocol-spec/).
public enum RESPValue: Sendable, Hashable {
    /// `+OK\r\n`
    case simpleString(String)
    /// `-ERR message\r\n`: the server refused a command.
    case error(String)
    /// `:42\r\n`
    case integer(Int)
    /// `$3\r\nabc\r\n`; nil for the null bulk string `$-1\r\n`.
    case bulkString([UInt8]?)
    /// `*2\r\n...`; nil for the null array `*-1\r\n`.
    case array([RESPValue]?)

    /// The bytes of a bulk string or the text of a simple string, if this is one.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// `bytes` as UTF-8 text.
    public var string: String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }
}
