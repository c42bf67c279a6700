/// Unpadded base64url (RFC 4648 §5), as JWT segments use it (RFC 7515 §2), decoded strictly.
///
/// CollabAuth sits below CollabTransport, so it keeps its own small codec rather than
/// reaching up for the transport's.
public enum Base64URL {
    /// Why a string is not strict unpadded base64url.
    public enum DecodingError: Error, Sendable, Hashable {
        /// A byte outside `A–Z a–z 0–9 - _` (`=` padding included) at this offset.
        case invalidCharacter(offset: Int)
        /// A length that leaves one character over (no byte string encodes to that).
        case invalidLength
        /// The unused low bits of the last character are not zero, so the encoding is not the canonical one.
        case nonCanonical
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes `bytes` without padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = b1 == nil ? nil : iterator.next()
            let group = UInt32(b0) << 16 | UInt32(b1 ?? 0) << 8 | UInt32(b2 ?? 0)
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            if b1 != nil { out.append(alphabet[Int(group >> 6 & 63)]) }
            if b2 != nil { out.append(alphabet[Int(group & 63)]) } else { break }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `text` strictly: base64url alphabet only, no padding or whitespace, and zero
    /// unused trailing bits, so every byte string has exactly one accepted encoding.
    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        try decode(utf8: text.utf8)
    }

    /// Decodes the UTF-8 bytes of a base64url text, with the same rules as `decode(_:)`.
    public static func decode(utf8 text: some Collection<UInt8>) throws(DecodingError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits: UInt32 = 0
        for (offset, character) in text.enumerated() {
            guard let value = sextet(character) else { throw .invalidCharacter(offset: offset) }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> bits))
                accumulator &= (1 << bits) - 1
            }
        }
        // One character over a whole group carries 6 bits, not a byte.
        guard bits != 6 else { throw .invalidLength }
        guard accumulator == 0 else { throw .nonCanonical }
        return out
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
