/// Finds the token of an HTTP request: `?token=` (browsers cannot set headers on a WebSocket)
/// or `Authorization: Bearer` (RFC 6750).
///
/// Both may be present only if they carry the same token; two different tokens, in any
/// combination of query parameters and headers, are refused as `.conflicting` rather than
/// one silently preferred, because a proxy that adds a header of its own would otherwise
/// decide who the user is. `Authorization` headers with another scheme (`Basic`) are ignored.
public enum RequestToken {
    /// The token of a request whose raw query (after `?`, not percent-decoded; nil when the
    /// target has no `?`) and header fields are given.
    public static func extract(query: Substring?,
                               headers: some Sequence<(name: String, value: String)>) throws(TokenError) -> String {
        var found: String?
        func add(_ token: String) throws(TokenError) {
            guard !token.isEmpty else { throw .malformed }
            if let found, !found.utf8.elementsEqual(token.utf8) { throw .conflicting }
            found = token
        }
        if let query {
            for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
                let equals = pair.firstIndex(of: UInt8(ascii: "="))
                let name = pair[..<(equals ?? pair.endIndex)]
                guard percentDecoded(name) == Array("token".utf8) else { continue }
                let value = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
                guard let bytes = percentDecoded(value), let token = String(validating: bytes, as: UTF8.self) else {
                    throw .malformed
                }
                try add(token)
            }
        }
        for field in headers where field.name.lowercased() == "authorization" {
            if let token = try bearerCredentials(field.value) { try add(token) }
        }
        guard let found else { throw .missing }
        return found
    }

    /// The credentials of a `Bearer` authorization value, nil for another scheme.
    private static func bearerCredentials(_ value: String) throws(TokenError) -> String? {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var bytes = value.utf8[...]
        while let first = bytes.first, isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        let schemeEnd = bytes.firstIndex(where: isSpace) ?? bytes.endIndex
        guard String(decoding: bytes[..<schemeEnd], as: UTF8.self).lowercased() == "bearer" else { return nil }
        var credentials = bytes[schemeEnd...]
        while let first = credentials.first, isSpace(first) { credentials.removeFirst() }
        // token68 has no whitespace; anything after a space is not one token.
        guard !credentials.isEmpty, !credentials.contains(where: isSpace) else { throw .malformed }
        return String(decoding: credentials, as: UTF8.self)
    }

    /// RFC 3986 percent-decoding (`+` stays `+`: it means a space only in HTML forms);
    /// nil for a `%` not followed by two hex digits.
    static func percentDecoded(_ encoded: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count)
        var iterator = encoded.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            out.append(high << 4 | low)
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
