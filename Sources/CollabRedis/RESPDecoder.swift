/// Reads RESP2 values from a byte stream fed in pieces of any size: `feed` bytes as they
/// arrive, then call `next()` until it answers nil (more bytes needed). A value split across
/// reads is resumed where it stopped; limits are checked as soon as a length is known, before
/// its bytes arrive. After an error the stream cannot be trusted: drop the connection.
public struct RESPDecoder: Sendable {
    /// Limits on what one value may declare.
    public struct Limits: Sendable {
        /// The longest bulk string (default 64 MiB: published records are far smaller).
        public var maxBulkLength = 64 << 20
        /// The most elements of one array.
        public var maxArrayCount = 1 << 20
        /// The longest simple line (`+`, `-`, `:` and length lines).
        public var maxLineLength = 64 << 10
        /// The deepest nesting of arrays.
        public var maxDepth = 16

        public init() {}
    }

    /// A partly read array: its elements so far and how many are still to come.
    private struct Frame: Sendable {
        var elements: [RESPValue]
        var remaining: Int
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    private var offset = 0
    private var stack: [Frame] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Appends bytes read from the connection.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Bytes fed but not yet part of a returned value.
    public var bufferedCount: Int { buffer.count - offset }

    /// The next complete value, or nil until more bytes arrive.
    public mutating func next() throws(RESPError) -> RESPValue? {
        while true {
            guard let scalar = try nextScalar() else {
                compact()
                return nil
            }
            var value = scalar
            // An array header opens a frame (unless empty or null); elements fill the top frame.
            if case .array(let elements?) = value, elements.isEmpty, let count = pendingArrayCount {
                pendingArrayCount = nil
                if count > 0 {
                    guard stack.count < limits.maxDepth else { throw .tooDeep }
                    stack.append(Frame(elements: [], remaining: count))
                    continue
                }
            }
            while var top = stack.popLast() {
                top.elements.append(value)
                top.remaining -= 1
                if top.remaining > 0 {
                    stack.append(top)
                    value = .array([])  // placeholder: nothing complete yet
                    break
                }
                value = .array(top.elements)
            }
            if !stack.isEmpty { continue }
            compact()
            return value
        }
    }

    /// Set by `nextScalar` when it read an array header with this many elements.
    private var pendingArrayCount: Int?

    /// One value that is not an array's element list: a string, error, integer, bulk string,
    /// null, or an array header (returned as an empty array with `pendingArrayCount` set).
    private mutating func nextScalar() throws(RESPError) -> RESPValue? {
        guard offset < buffer.count else { return nil }
        let type = buffer[offset]
        guard let (line, afterLine) = try lineAfterType() else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            offset = afterLine
            return .simpleString(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: "-"):
            offset = afterLine
            return .error(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: ":"):
            offset = afterLine
            return .integer(try Self.integer(line))
        case UInt8(ascii: "$"):
            let length = try Self.integer(line)
            if length == -1 {
                offset = afterLine
                return .bulkString(nil)
            }
            guard length >= 0 else { throw .malformed("bulk length \(length)") }
            guard length <= limits.maxBulkLength else {
                throw .tooLarge("bulk string of \(length) bytes (limit \(limits.maxBulkLength))")
            }
            guard buffer.count - afterLine >= length + 2 else { return nil }
            guard buffer[afterLine + length] == 13, buffer[afterLine + length + 1] == 10 else {
                throw .malformed("bulk string not followed by CRLF")
            }
            offset = afterLine + length + 2
            return .bulkString(Array(buffer[afterLine..<(afterLine + length)]))
        case UInt8(ascii: "*"):
            let count = try Self.integer(line)
            offset = afterLine
            if count == -1 { return .array(nil) }
            guard count >= 0 else { throw .malformed("array count \(count)") }
            guard count <= limits.maxArrayCount else {
                throw .tooLarge("array of \(count) elements (limit \(limits.maxArrayCount))")
            }
            pendingArrayCount = count
            return .array([])
        default:
            throw .unknownType(type)
        }
    }

    /// The line after the type byte at `offset` (without CRLF) and where the next byte is; nil
    /// if the CRLF has not arrived.
    private func lineAfterType() throws(RESPError) -> (ArraySlice<UInt8>, Int)? {
        let start = offset + 1
        var index = start
        while index < buffer.count {
            if buffer[index] == 10 {
                guard index > start, buffer[index - 1] == 13 else { throw .malformed("line ends in LF without CR") }
                return (buffer[start..<(index - 1)], index + 1)
            }
            index += 1
            if index - start > limits.maxLineLength { throw .tooLarge("line over \(limits.maxLineLength) bytes") }
        }
        return nil
    }

    private static func integer(_ line: ArraySlice<UInt8>) throws(RESPError) -> Int {
        guard !line.isEmpty, line.count <= 20, let value = Int(String(decoding: line, as: UTF8.self)) else {
            throw .malformed("'\(String(decoding: line.prefix(32), as: UTF8.self))' is not an integer")
        }
        return value
    }

    /// Drops consumed bytes once they are most of the buffer.
    private mutating func compact() {
        if offset > 0 && offset * 2 >= buffer.count {
            buffer.removeFirst(offset)
            offset = 0
        }
    }
}
