/// A document id as the contract allows it in `/v1/docs/{docId}`: 1–128 characters of
/// `[A-Za-z0-9._-]`, the first one a letter or digit.
///
/// It is checked on the raw path segment, never percent-decoded, so any `%` makes it invalid.
public struct DocumentID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The longest id allowed, in characters.
    public static let maximumLength = 128

    /// The id, which is ASCII by construction.
    public let rawValue: String

    /// The id in `rawSegment`, or nil if the segment breaks the contract's rule.
    public init?(_ rawSegment: some StringProtocol) {
        guard Self.isValid(rawSegment) else { return nil }
        self.rawValue = String(rawSegment)
    }

    /// Whether `rawSegment` is a valid document id.
    public static func isValid(_ rawSegment: some StringProtocol) -> Bool {
        let bytes = rawSegment.utf8
        guard let first = bytes.first, bytes.count <= maximumLength, isAlphanumeric(first) else {
            return false
        }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
            || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    /// The id.
    public var description: String { rawValue }

    public static func < (lhs: DocumentID, rhs: DocumentID) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }
}
