/// Incremental parser for an HTTP/1.1 response head (status line and headers), fed bytes split
/// anywhere. Used by the WebSocket client to read the server's handshake answer; whatever follows
/// the head (the first WebSocket frames, or an error body) is left in `remainingBytes`.
public struct HTTPResponseParser {
    /// The status line and headers of a response.
    public struct Head: Sendable, Hashable {
        /// Major and minor HTTP version, e.g. 1 and 1.
        public var versionMajor: Int
        public var versionMinor: Int
        /// The three-digit status code.
        public var status: Int
        /// The reason phrase (may be empty).
        public var reason: String
        /// Header fields in the order received.
        public var headers: HTTPHeaders
    }

    /// Why the bytes are not an acceptable response head.
    public enum ParseError: Error, Sendable, Hashable {
        /// The head is longer than `maxHeadSize` bytes.
        case headTooLarge
        /// More than `maxHeaderCount` header fields.
        case tooManyHeaders
        /// The status line is malformed.
        case invalidStatusLine
        /// A header line is malformed (bad name, control characters, obsolete line folding).
        case invalidHeader
    }

    private enum State {
        case readingHead
        case done
        case failed(ParseError)
    }

    /// Largest accepted head in bytes (default 16 KiB).
    public let maxHeadSize: Int
    /// Largest accepted number of header fields (default 100).
    public let maxHeaderCount: Int

    private var state: State = .readingHead
    private var buffer: [UInt8] = []
    private var scanIndex = 0

    /// Creates a parser with the given limits.
    public init(maxHeadSize: Int = 16 * 1024, maxHeaderCount: Int = 100) {
        self.maxHeadSize = maxHeadSize
        self.maxHeaderCount = maxHeaderCount
    }

    /// Bytes received after the end of the head (only meaningful once `parse()` returned a head).
    public private(set) var remainingBytes: [UInt8] = []

    /// Adds received bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        switch state {
        case .readingHead: buffer.append(contentsOf: bytes)
        case .done: remainingBytes.append(contentsOf: bytes)
        case .failed: break
        }
    }

    /// The head once complete, nil if more bytes are needed; throws on malformed or oversized input.
    /// After returning a head it returns nil.
    public mutating func parse() throws(ParseError) -> Head? {
        switch state {
        case .failed(let error):
            throw error
        case .done:
            return nil
        case .readingHead:
            break
        }
        // Find the blank line ending the head: CRLF CRLF, or bare LF LF (RFC 9112 §2.2).
        var end: Int?
        var i = max(scanIndex, 0)
        while i < buffer.count {
            if buffer[i] == 0x0A {
                if i >= 1, buffer[i - 1] == 0x0A { end = i + 1; break }
                if i >= 2, buffer[i - 1] == 0x0D, buffer[i - 2] == 0x0A { end = i + 1; break }
            }
            i += 1
        }
        guard let end else {
            scanIndex = buffer.count
            if buffer.count > maxHeadSize { return try fail(.headTooLarge) }
            return nil
        }
        guard end <= maxHeadSize else { return try fail(.headTooLarge) }
        let head: Head
        do {
            head = try parseHead(buffer[..<end])
        } catch {
            return try fail(error)
        }
        remainingBytes = Array(buffer[end...])
        buffer = []
        state = .done
        return head
    }

    private mutating func fail(_ error: ParseError) throws(ParseError) -> Head? {
        state = .failed(error)
        buffer = []
        throw error
    }

    private func parseHead(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> Head {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        // The head ends with an empty line, which splitting leaves as the last two elements.
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let statusLine = lines.first else { throw .invalidStatusLine }
        var head = try parseStatusLine(statusLine)
        guard lines.count - 1 <= maxHeaderCount else { throw .tooManyHeaders }
        for line in lines.dropFirst() {
            head.headers.add(try parseHeaderLine(line))
        }
        return head
    }

    private func parseStatusLine(_ line: ArraySlice<UInt8>) throws(ParseError) -> Head {
        // HTTP/x.y SP ddd [SP reason]
        let bytes = Array(line)
        guard bytes.count >= 12, bytes[0..<5].elementsEqual("HTTP/".utf8),
              let major = digit(bytes[5]), bytes[6] == UInt8(ascii: "."), let minor = digit(bytes[7]),
              bytes[8] == UInt8(ascii: " "),
              let d0 = digit(bytes[9]), let d1 = digit(bytes[10]), let d2 = digit(bytes[11]), d0 >= 1
        else { throw .invalidStatusLine }
        var reason = ""
        if bytes.count > 12 {
            guard bytes[12] == UInt8(ascii: " ") else { throw .invalidStatusLine }
            let phrase = bytes[13...]
            guard phrase.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else { throw .invalidStatusLine }
            reason = String(decoding: phrase, as: UTF8.self)
        }
        return Head(versionMajor: major, versionMinor: minor, status: d0 * 100 + d1 * 10 + d2,
                    reason: reason, headers: HTTPHeaders())
    }

    private func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(ParseError) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .invalidHeader }
        let name = line[..<colon]
        // An empty name, or one starting with whitespace (obsolete line folding), is refused.
        guard !name.isEmpty, name.allSatisfy(Self.isTokenCharacter) else { throw .invalidHeader }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else { throw .invalidHeader }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    private func digit(_ b: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) ? Int(b - UInt8(ascii: "0")) : nil
    }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}

@available(*, unavailable)
extension HTTPResponseParser: Sendable {}

extension HTTPHeaders {
    fileprivate mutating func add(_ field: (name: String, value: String)) {
        add(name: field.name, value: field.value)
    }
}
