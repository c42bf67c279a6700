/// Why a RESP byte stream could not be read: the connection carrying it must be dropped.
public enum RESPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A type byte that is none of `+ - : $ *`.
    case unknownType(UInt8)
    /// A length or integer that is not one, or a line without its CRLF.
    case malformed(String)
    /// A bulk string, an array or a line over the decoder's limits.
    case tooLarge(String)
    /// Arrays nested deeper than the decoder's limit.
    case tooDeep

    public var description: String {
        switch self {
        case .unknownType(let byte): "unknown RESP type byte 0x\(String(byte, radix: 16))"
        case .malformed(let what): "malformed RESP: \(what)"
        case .tooLarge(let what): "RESP value too large: \(what)"
        case .tooDeep: "RESP arrays nested too deep"
        }
    }
}
