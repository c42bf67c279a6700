/// Why a byte sequence is not a JSON text the reader accepts, and where.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// The input ended inside a value (or held no value at all).
        case unexpectedEnd
        /// A byte that cannot start or continue anything valid here.
        case unexpectedByte(UInt8)
        /// A malformed number: leading zero, missing digits after `-`, `.` or the exponent.
        case invalidNumber
        /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
        case invalidEscape
        /// Bytes inside a string that are not well-formed UTF-8 (overlong, surrogate, > U+10FFFF, truncated).
        case invalidUTF8
        /// An unescaped byte below 0x20 inside a string.
        case controlCharacterInString
        /// Arrays and objects nested deeper than the reader's `maxDepth`.
        case tooDeep
        /// Something other than whitespace follows the top-level value.
        case trailingData
        /// An object key whose `\uXXXX` escapes form a lone UTF-16 surrogate.
        case loneSurrogateInKey
    }

    /// What is wrong.
    public var kind: Kind
    /// Byte offset in the input of the first offending byte.
    public var offset: Int

    /// An error of `kind` at byte `offset`.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// For example "unexpected byte ',' at offset 17".
    public var description: String {
        let what: String
        switch kind {
        case .unexpectedEnd: what = "unexpected end of input"
        case .unexpectedByte(let byte):
            if byte > 0x20 && byte < 0x7F {
                what = "unexpected byte '\(Character(Unicode.Scalar(byte)))'"
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                what = "unexpected byte 0x\(hex.count == 1 ? "0" : "")\(hex)"
            }
        case .invalidNumber: what = "invalid number"
        case .invalidEscape: what = "invalid escape sequence"
        case .invalidUTF8: what = "invalid UTF-8"
        case .controlCharacterInString: what = "unescaped control character in string"
        case .tooDeep: what = "nesting too deep"
        case .trailingData: what = "unexpected data after the value"
        case .loneSurrogateInKey: what = "lone surrogate escape in object key"
        }
        return "\(what) at offset \(offset)"
    }
}
