/// Reads the fields of one backend message's body; every read is bounds-checked.
struct PostgresMessageBodyReader {
    let bytes: ArraySlice<UInt8>
    let type: UInt8
    private(set) var index: Int

    init(_ bytes: ArraySlice<UInt8>, type: UInt8) {
        self.bytes = bytes
        self.type = type
        self.index = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - index }

    private func malformed(_ reason: String) -> PostgresDecodingError {
        .malformed(type: type, reason: reason)
    }

    mutating func int32() throws(PostgresDecodingError) -> Int32 {
        guard remaining >= 4 else { throw malformed("truncated Int32") }
        let value = UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16
            | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
        index += 4
        return Int32(bitPattern: value)
    }

    mutating func int16() throws(PostgresDecodingError) -> Int16 {
        guard remaining >= 2 else { throw malformed("truncated Int16") }
        let value = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
        index += 2
        return Int16(bitPattern: value)
    }

    mutating func byte() throws(PostgresDecodingError) -> UInt8 {
        guard remaining >= 1 else { throw malformed("truncated byte") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func bytes(_ count: Int) throws(PostgresDecodingError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw malformed("truncated field of \(count) bytes") }
        defer { index += count }
        return Array(bytes[index..<index + count])
    }

    mutating func rest() -> [UInt8] {
        defer { index = bytes.endIndex }
        return Array(bytes[index...])
    }

    /// A NUL-terminated string; invalid UTF-8 is repaired rather than refused (server messages
    /// may come in the server's encoding before client_encoding applies).
    mutating func cString() throws(PostgresDecodingError) -> String {
        guard let end = bytes[index...].firstIndex(of: 0) else { throw malformed("unterminated string") }
        defer { index = end + 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    func expectEnd() throws(PostgresDecodingError) {
        if remaining != 0 { throw malformed("\(remaining) unexpected trailing bytes") }
    }
}
