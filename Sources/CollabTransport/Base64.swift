/// Base64 (RFC 4648 §4) and base64url (§5) with strict decoding.
public enum Base64 {
    /// Which 64-character alphabet to use.
    public enum Alphabet: Sendable, Hashable {
        /// `A–Z a–z 0–9 + /`, e.g. `Sec-WebSocket-Key`.
        case standard
        /// `A–Z a–z 0–9 - _`, e.g. JWT segments.
        case url
    }

    /// Whether `=` padding is written and demanded.
    public enum Padding: Sendable, Hashable {
        /// Output is padded to a multiple of 4; input must be.
        case required
        /// No `=` is written; input containing `=` is rejected.
        case forbidden
    }

    /// Why a string is not strict base64.
    public enum DecodingError: Error, Sendable, Hashable {
        /// A character outside the alphabet (or `=` where padding is not allowed) at this offset.
        case invalidCharacter(offset: Int)
        /// Wrong length for the padding rule, or `=` in the wrong place.
        case invalidPadding
        /// The unused low bits of the last character are not zero (non-canonical encoding).
        case nonCanonical
    }

    private static let standardCharacters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlCharacters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes `bytes`; standard alphabet with padding unless told otherwise.
    public static func encode(_ bytes: some Collection<UInt8>, alphabet: Alphabet = .standard,
                              padding: Padding = .required) -> String {
        let table = alphabet == .standard ? standardCharacters : urlCharacters
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next(), b2 = iterator.next()
            let group = UInt32(b0) << 16 | UInt32(b1 ?? 0) << 8 | UInt32(b2 ?? 0)
            out.append(table[Int(group >> 18 & 63)])
            out.append(table[Int(group >> 12 & 63)])
            if b1 != nil { out.append(table[Int(group >> 6 & 63)]) } else if padding == .required { out.append(UInt8(ascii: "=")) }
            if b2 != nil { out.append(table[Int(group & 63)]) } else if padding == .required { out.append(UInt8(ascii: "=")) }
            if b2 == nil { break }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `string` strictly: right alphabet only, padding exactly as the rule says, no
    /// whitespace, and zero unused trailing bits (so every byte string has one encoding).
    public static func decode(_ string: some StringProtocol, alphabet: Alphabet = .standard,
                              padding: Padding = .required) throws(DecodingError) -> [UInt8] {
        var chars = Array(string.utf8)
        switch padding {
        case .required:
            guard chars.count % 4 == 0 else { throw .invalidPadding }
            var pad = 0
            while pad < 2, chars.count - pad > 0, chars[chars.count - 1 - pad] == UInt8(ascii: "=") { pad += 1 }
            chars.removeLast(pad)
            // A third `=` or a group of one character is malformed.
            if pad > 0, chars.count % 4 == 1 || chars.last == UInt8(ascii: "=") { throw .invalidPadding }
        case .forbidden:
            break
        }
        guard chars.count % 4 != 1 else { throw .invalidPadding }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for (offset, c) in chars.enumerated() {
            guard let value = sextet(c, alphabet) else {
                throw c == UInt8(ascii: "=") && padding == .required ? .invalidPadding : .invalidCharacter(offset: offset)
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { throw .nonCanonical }
        return out
    }

    @inline(__always)
    private static func sextet(_ c: UInt8, _ alphabet: Alphabet) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return alphabet == .standard ? 62 : nil
        case UInt8(ascii: "/"): return alphabet == .standard ? 63 : nil
        case UInt8(ascii: "-"): return alphabet == .url ? 62 : nil
        case UInt8(ascii: "_"): return alphabet == .url ? 63 : nil
        default: return nil
        }
    }
}
