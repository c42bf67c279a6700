/// Incremental decoder for an HTTP/1.1 response body (RFC 9112 §6.3): a `Content-Length`
/// body, a chunked body (extensions and trailers skipped), or one that runs until the server
/// closes. Fed bytes split anywhere; enforces a size limit as soon as a length is known.
public struct HTTPResponseBodyDecoder {
    /// How the body is delimited.
    public enum Framing: Sendable, Equatable {
        /// No body (204, 304).
        case empty
        /// Exactly this many bytes.
        case length(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
        /// Everything until the connection closes.
        case untilClose
    }

    /// Why the body cannot be decoded.
    public enum DecodeError: Error, Sendable, Equatable {
        /// A chunk-size line, a chunk's CRLF or a trailer line is malformed or too long.
        case invalidChunk
        /// The body (or a declared length or chunk) exceeds the limit.
        case tooLarge
        /// `Content-Length` or `Transfer-Encoding` is not one this decoder accepts.
        case invalidFraming
    }

    private enum State {
        case lengthRemaining(Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLine
        case untilClose
        case done
    }

    /// The largest line (chunk size or trailer) accepted, in bytes.
    private static let maxLineLength = 8 * 1024

    private var state: State
    private var line: [UInt8] = []
    private var bodyCount = 0
    /// The body size limit, in bytes.
    public let maxBodySize: Int

    /// A decoder for `framing`, refusing bodies over `maxBodySize` bytes.
    public init(framing: Framing, maxBodySize: Int) throws(DecodeError) {
        self.maxBodySize = maxBodySize
        switch framing {
        case .empty: state = .done
        case .length(let count):
            guard count <= maxBodySize else { throw .tooLarge }
            state = count == 0 ? .done : .lengthRemaining(count)
        case .chunked: state = .chunkSizeLine
        case .untilClose: state = .untilClose
        }
    }

    /// The framing a response head announces: chunked wins over `Content-Length`
    /// (RFC 9112 §6.3); conflicting lengths, or a transfer coding other than chunked, are refused.
    public static func framing(status: Int, headers: HTTPHeaders) throws(DecodeError) -> Framing {
        if status == 204 || status == 304 || (100..<200).contains(status) { return .empty }
        let codings = headers.values("Transfer-Encoding").flatMap { $0.split(separator: ",") }
            .map { WebSocketHandshake.trimmed($0).lowercased() }.filter { !$0.isEmpty }
        if !codings.isEmpty {
            guard codings == ["chunked"] else { throw .invalidFraming }
            return .chunked
        }
        let lengths = Set(headers.values("Content-Length").flatMap { $0.split(separator: ",") }
            .map { WebSocketHandshake.trimmed($0) })
        guard let text = lengths.first else { return .untilClose }
        guard lengths.count == 1, !text.isEmpty, text.utf8.count <= 18,
              text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let count = Int(text) else {
            throw .invalidFraming
        }
        return .length(count)
    }

    /// Whether the whole body has been decoded.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Whether the connection closing now ends the body properly (a body delimited by the close).
    public var endsAtClose: Bool {
        switch state {
        case .untilClose, .done: true
        default: false
        }
    }

    /// Decodes `input`, appending body bytes to `body`. Bytes after the end of the body are ignored.
    public mutating func decode(_ input: some Collection<UInt8>, into body: inout [UInt8]) throws(DecodeError) {
        var bytes = input[...]
        while !bytes.isEmpty {
            switch state {
            case .done:
                return
            case .untilClose:
                try take(bytes, into: &body)
                return
            case .lengthRemaining(let remaining):
                let part = bytes.prefix(remaining)
                try take(part, into: &body)
                bytes = bytes.dropFirst(part.count)
                state = remaining == part.count ? .done : .lengthRemaining(remaining - part.count)
            case .chunkData(let remaining):
                let part = bytes.prefix(remaining)
                try take(part, into: &body)
                bytes = bytes.dropFirst(part.count)
                state = remaining == part.count ? .chunkDataEnd : .chunkData(remaining: remaining - part.count)
            case .chunkSizeLine, .chunkDataEnd, .trailerLine:
                guard let newline = bytes.firstIndex(of: 0x0A) else {
                    line.append(contentsOf: bytes)
                    guard line.count <= Self.maxLineLength else { throw .invalidChunk }
                    return
                }
                line.append(contentsOf: bytes[..<newline])
                bytes = bytes[bytes.index(after: newline)...]
                guard line.count <= Self.maxLineLength else { throw .invalidChunk }
                if line.last == 0x0D { line.removeLast() }
                let text = line
                line = []
                try endLine(text)
            }
        }
    }

    private mutating func endLine(_ text: [UInt8]) throws(DecodeError) {
        switch state {
        case .chunkSizeLine:
            // chunk-size [ ; extensions ]
            let sizeText = text.prefix { $0 != UInt8(ascii: ";") && $0 != 0x20 && $0 != 0x09 }
            guard !sizeText.isEmpty, sizeText.count <= 15 else { throw .invalidChunk }
            var size = 0
            for byte in sizeText {
                guard let digit = Self.hexValue(byte) else { throw .invalidChunk }
                size = size * 16 + digit
            }
            guard size <= maxBodySize - bodyCount else { throw .tooLarge }
            state = size == 0 ? .trailerLine : .chunkData(remaining: size)
        case .chunkDataEnd:
            guard text.isEmpty else { throw .invalidChunk }
            state = .chunkSizeLine
        case .trailerLine:
            // Trailer fields are skipped; the empty line ends the message.
            if text.isEmpty { state = .done }
        case .lengthRemaining, .chunkData, .untilClose, .done:
            break
        }
    }

    private mutating func take(_ bytes: some Collection<UInt8>, into body: inout [UInt8]) throws(DecodeError) {
        guard bytes.count <= maxBodySize - bodyCount else { throw .tooLarge }
        bodyCount += bytes.count
        body.append(contentsOf: bytes)
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}

@available(*, unavailable)
extension HTTPResponseBodyDecoder: Sendable {}
