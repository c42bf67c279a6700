import CollabStorage

/// The parameters of a request's query string, percent-decoded (`+` stays a plus: these are
/// not form submissions, and ISO 8601 offsets such as `+01:00` need it). A name given twice
/// keeps its last value.
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    /// Parses `query`; 400 for a malformed percent escape or one that is not UTF-8.
    init(_ query: Substring?) throws(HTTPRefusal) {
        guard let query else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.percentDecoded(parts[0]),
                  let value = Self.percentDecoded(parts.count > 1 ? parts[1] : "") else {
                throw HTTPRefusal(.badRequest, "malformed percent-encoding in the query")
            }
            values[name] = value
        }
    }

    /// The value of `name`, if given.
    subscript(name: String) -> String? {
        values[name]
    }

    /// The non-negative integer value of `name`; 400 if it is not one.
    func integer(_ name: String) throws(HTTPRefusal) -> Int? {
        guard let text = values[name] else { return nil }
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = Int(text) else {
            throw HTTPRefusal(.badRequest, "\(name) must be a non-negative integer")
        }
        return value
    }

    /// The ISO 8601 time of `name` in milliseconds since the epoch; 400 if it is not one.
    func time(_ name: String) throws(HTTPRefusal) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let milliseconds = ISO8601Time.parse(text) else {
            throw HTTPRefusal(.badRequest,
                              "\(name) must be an ISO 8601 time such as 2025-01-31T12:00:00Z or 2025-01-31")
        }
        return milliseconds
    }

    /// `text` with its `%XX` escapes decoded; nil if an escape is malformed or the result is not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
