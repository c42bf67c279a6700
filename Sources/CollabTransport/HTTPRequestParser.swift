/// Incremental HTTP/1.1 request-head parser: feed bytes as they arrive, in any split.
///
/// Limits are enforced byte by byte, so nothing is buffered past them. Decisions:
/// - Lines must end in CRLF; a bare LF or bare CR is malformed (400). RFC 9112 §2.2 allows
///   accepting bare LF, but strictness keeps us from framing a request differently than a
///   proxy in front of us would.
/// - Up to 8 empty lines before a request line are skipped (RFC 9112 §2.2 robustness).
/// - Request target: origin-form (`/...`) or `*`, visible ASCII only; anything else is 400.
/// - Obsolete line folding, whitespace before a field's colon, control characters in values,
///   a missing (HTTP/1.1) or repeated Host, Content-Length together with Transfer-Encoding,
///   and malformed or conflicting Content-Length values are 400.
/// - Bodies are not read here; the server decides what to do about them.
public struct HTTPRequestParser: Sendable {
    /// Size limits (defaults from the contract).
    public struct Limits: Sendable, Hashable {
        /// Longest request line, without its CRLF (default 8 KiB) → 414 beyond.
        public var maxRequestLineLength = 8 * 1024
        /// Largest header section: every field line with its CRLF, not counting the request
        /// line and the final empty line (default 16 KiB) → 431 beyond.
        public var maxHeaderSectionLength = 16 * 1024
        /// Most header fields (default 100) → 431 beyond.
        public var maxHeaderCount = 100

        /// The contract's limits.
        public init() {}
    }

    /// What a call to `parse` produced.
    public enum Outcome: Sendable, Hashable {
        /// The bytes were consumed; the head is not complete yet.
        case needMoreData
        /// A complete head; bytes after it were not consumed.
        case head(HTTPRequestHead)
        /// The request is rejected; the parser stays in this state.
        case error(HTTPParseError)
    }

    private enum State: Sendable {
        case requestLine
        case headerLine
        case failed(HTTPParseError)
    }

    /// The limits in force.
    public let limits: Limits
    private var state = State.requestLine
    private var line: [UInt8] = []
    private var sawCR = false
    private var emptyLinesSkipped = 0
    private var headerSectionLength = 0
    private var head = HTTPRequestHead(method: "", target: "")

    /// A parser with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
        line.reserveCapacity(256)
    }

    /// Parses from the start of `bytes` until one head is complete, more data is needed,
    /// or an error; returns how many bytes were consumed (pipelined data stays unconsumed).
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> (consumed: Int, outcome: Outcome) {
        if case .failed(let error) = state { return (0, .error(error)) }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if let outcome = step(byte) {
                if case .error(let error) = outcome { state = .failed(error) }
                return (index, outcome)
            }
        }
        return (index, .needMoreData)
    }

    /// Convenience for arrays and other contiguous collections.
    public mutating func parse(_ bytes: some Collection<UInt8>) -> (consumed: Int, outcome: Outcome) {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { parse($0) }
    }

    // MARK: - Bytes

    /// Consumes one byte; non-nil when a head completed or the request failed.
    private mutating func step(_ byte: UInt8) -> Outcome? {
        if sawCR {
            guard byte == 0x0A else { return .error(.malformed("bare CR in request head")) }
            sawCR = false
            return endOfLine()
        }
        switch byte {
        case 0x0D:
            sawCR = true
            return nil
        case 0x0A:
            return .error(.malformed("line ending without CR"))
        default:
            line.append(byte)
            switch state {
            case .requestLine:
                if line.count > limits.maxRequestLineLength { return .error(.requestLineTooLong) }
            case .headerLine:
                if headerSectionLength + line.count + 2 > limits.maxHeaderSectionLength {
                    return .error(.headerSectionTooLarge)
                }
            case .failed(let error):
                return .error(error)
            }
            return nil
        }
    }

    private mutating func endOfLine() -> Outcome? {
        defer { line.removeAll(keepingCapacity: true) }
        switch state {
        case .requestLine:
            if line.isEmpty {
                emptyLinesSkipped += 1
                return emptyLinesSkipped > 8 ? .error(.malformed("too many empty lines")) : nil
            }
            if let error = parseRequestLine() { return .error(error) }
            state = .headerLine
            return nil
        case .headerLine:
            if line.isEmpty { return finishHead() }
            headerSectionLength += line.count + 2
            if head.headers.fields.count >= limits.maxHeaderCount { return .error(.headerSectionTooLarge) }
            if let error = parseFieldLine() { return .error(error) }
            return nil
        case .failed(let error):
            return .error(error)
        }
    }

    // MARK: - Lines

    private mutating func parseRequestLine() -> HTTPParseError? {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .malformed("malformed request line") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.allSatisfy(HTTPRequestParser.isTokenByte) else {
            return .malformed("invalid method")
        }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .malformed("invalid request target")
        }
        guard target.first == UInt8(ascii: "/") || (target.count == 1 && target.first == UInt8(ascii: "*")) else {
            return .malformed("request target must be origin-form")
        }
        let v = Array(version)
        guard v.count == 8, v[0..<5].elementsEqual("HTTP/".utf8),
              HTTPRequestParser.isDigit(v[5]), v[6] == UInt8(ascii: "."), HTTPRequestParser.isDigit(v[7]) else {
            return .malformed("invalid HTTP version")
        }
        guard v[5] == UInt8(ascii: "1") else { return .unsupportedVersion }
        head = HTTPRequestHead(method: String(decoding: method, as: UTF8.self),
                               target: String(decoding: target, as: UTF8.self),
                               versionMajor: 1, versionMinor: Int(v[7] - 0x30))
        return nil
    }

    private mutating func parseFieldLine() -> HTTPParseError? {
        guard let first = line.first, first != 0x20, first != 0x09 else {
            return .malformed("obsolete line folding")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .malformed("header field without colon") }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(HTTPRequestParser.isTokenByte) else {
            return .malformed("invalid header field name")
        }
        var start = colon + 1, end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        let value = line[start..<end]
        for byte in value where byte < 0x20 && byte != 0x09 || byte == 0x7F {
            return .malformed("invalid character in header field value")
        }
        head.headers.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        return nil
    }

    private mutating func finishHead() -> Outcome {
        let headers = head.headers
        let hosts = headers.values("Host")
        if hosts.count > 1 || (hosts.isEmpty && head.versionMinor >= 1) {
            return .error(.malformed(hosts.isEmpty ? "missing Host header" : "more than one Host header"))
        }
        let lengths = headers.values("Content-Length")
        let hasTransferEncoding = !headers.values("Transfer-Encoding").isEmpty
        if hasTransferEncoding && !lengths.isEmpty {
            return .error(.malformed("both Content-Length and Transfer-Encoding"))
        }
        if hasTransferEncoding && head.versionMinor == 0 {
            return .error(.malformed("Transfer-Encoding in an HTTP/1.0 request"))
        }
        var length: String?
        for field in lengths {
            for item in field.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = item.trimmingSpaces
                guard !trimmed.isEmpty, trimmed.utf8.count <= 18, trimmed.utf8.allSatisfy(HTTPRequestParser.isDigit) else {
                    return .error(.malformed("invalid Content-Length"))
                }
                if let length, length != String(trimmed) { return .error(.malformed("conflicting Content-Length")) }
                length = String(trimmed)
            }
        }
        let complete = head
        state = .requestLine
        emptyLinesSkipped = 0
        headerSectionLength = 0
        head = HTTPRequestHead(method: "", target: "")
        return .head(complete)
    }

    // MARK: - Character classes

    /// `tchar` from RFC 9110 §5.6.2.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
