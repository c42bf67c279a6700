import Testing
@testable import CollabTransport
import CollabTestSupport

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Feeds `input` in the given chunk sizes; returns every outcome other than needMoreData,
/// and whether the parser ended needing more data.
private func feed(_ input: [UInt8], chunks: [Int], limits: HTTPRequestParser.Limits = .init())
    -> (outcomes: [HTTPRequestParser.Outcome], needsMore: Bool)
{
    var parser = HTTPRequestParser(limits: limits)
    var outcomes: [HTTPRequestParser.Outcome] = []
    var position = 0
    var chunkIndex = 0
    var needsMore = true
    while position < input.count {
        let size = max(1, chunks.isEmpty ? input.count : chunks[chunkIndex % chunks.count])
        chunkIndex += 1
        var chunk = Array(input[position..<min(input.count, position + size)])
        position += chunk.count
        while !chunk.isEmpty {
            let (consumed, outcome) = parser.parse(chunk)
            chunk.removeFirst(consumed)
            switch outcome {
            case .needMoreData: needsMore = true
            case .head: outcomes.append(outcome); needsMore = false
            case .error: outcomes.append(outcome); return (outcomes, false)
            }
        }
    }
    return (outcomes, needsMore)
}

private let simpleRequest = "GET /v1/docs/a?token=x HTTP/1.1\r\nHost: example\r\nUpgrade:  websocket \r\nX-Empty:\r\n\r\n"
private let simpleHead = HTTPRequestHead(
    method: "GET", target: "/v1/docs/a?token=x",
    headers: HTTPHeaders([("Host", "example"), ("Upgrade", "websocket"), ("X-Empty", "")]))

@Test func parsesWholeRequest() {
    let result = feed(bytes(simpleRequest), chunks: [])
    #expect(result.outcomes == [.head(simpleHead)])
    #expect(simpleHead.path == "/v1/docs/a")
}

@Test func parsesByteByByte() {
    let result = feed(bytes(simpleRequest), chunks: [1])
    #expect(result.outcomes == [.head(simpleHead)])
}

@Test func parsesRandomSplitsAndPipelines() {
    let second = "GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    let input = bytes(simpleRequest + second + simpleRequest)
    let secondHead = HTTPRequestHead(method: "GET", target: "/healthz",
                                     headers: HTTPHeaders([("Host", "h"), ("Connection", "close")]))
    let seed: UInt64 = 0xC0FFEE
    var rng = SplitMix64(seed: seed)
    for _ in 0..<500 {
        let chunks = (0..<8).map { _ in Int.random(in: 1...40, using: &rng) }
        let result = feed(input, chunks: chunks)
        #expect(result.outcomes == [.head(simpleHead), .head(secondHead), .head(simpleHead)], "seed \(seed) chunks \(chunks)")
        #expect(!result.needsMore)
    }
}

@Test func pipelinedHeadStopsAtBoundary() {
    var parser = HTTPRequestParser()
    let input = bytes(simpleRequest + "GET / HT")
    let (consumed, outcome) = parser.parse(input)
    #expect(outcome == .head(simpleHead))
    #expect(consumed == simpleRequest.utf8.count)
    let (rest, next) = parser.parse(Array(input[consumed...]))
    #expect(rest == 8)
    #expect(next == .needMoreData)
}

@Test(arguments: [
    ("GET / HTTP/1.1\r\n\r\n", HTTPParseError.malformed("missing Host header")),
    ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .malformed("more than one Host header")),
    ("GET / HTTP/1.1\nHost: a\r\n\r\n", .malformed("line ending without CR")),
    ("GET / HTTP/1.1\r\nHost: a\rx\r\n\r\n", .malformed("bare CR in request head")),
    ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", .malformed("obsolete line folding")),
    ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", .malformed("invalid header field name")),
    ("GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n", .malformed("header field without colon")),
    ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", .malformed("invalid character in header field value")),
    ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", .malformed("invalid method")),
    ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .malformed("malformed request line")),
    ("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n", .malformed("request target must be origin-form")),
    ("GET / HTTP/1.10\r\nHost: a\r\n\r\n", .malformed("invalid HTTP version")),
    ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion),
    ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
     .malformed("both Content-Length and Transfer-Encoding")),
    ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", .malformed("invalid Content-Length")),
    ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .malformed("conflicting Content-Length")),
])
func rejectsMalformed(input: String, expected: HTTPParseError) {
    for chunks in [[], [1]] {
        let result = feed(bytes(input), chunks: chunks)
        #expect(result.outcomes == [.error(expected)], "chunks \(chunks)")
    }
}

@Test func acceptsHTTP10WithoutHostAndLeadingEmptyLines() {
    let result = feed(bytes("\r\n\r\nGET / HTTP/1.0\r\n\r\n"), chunks: [])
    #expect(result.outcomes == [.head(HTTPRequestHead(method: "GET", target: "/", versionMinor: 0))])
    let head = HTTPRequestHead(method: "GET", target: "/", versionMinor: 0)
    #expect(!head.wantsKeepAlive)
}

@Test func requestLineLimitBoundary() {
    let fixed = "GET / HTTP/1.1".utf8.count
    let exact = "GET /" + String(repeating: "a", count: 8192 - fixed) + " HTTP/1.1"
    #expect(exact.utf8.count == 8192)
    let ok = feed(bytes(exact + "\r\nHost: a\r\n\r\n"), chunks: [1])
    #expect(ok.outcomes.count == 1)
    if case .head(let head) = ok.outcomes.first { #expect(head.target.utf8.count == 8192 - fixed + 1) } else { Issue.record("no head") }
    let over = "GET /" + String(repeating: "a", count: 8193 - fixed) + " HTTP/1.1"
    #expect(feed(bytes(over + "\r\nHost: a\r\n\r\n"), chunks: [7]).outcomes == [.error(.requestLineTooLong)])
}

@Test func requestLineLimitStopsBufferingEarly() {
    // The error comes on byte 8,193 even though no line end ever arrives.
    var parser = HTTPRequestParser()
    let (consumed, outcome) = parser.parse([UInt8](repeating: UInt8(ascii: "a"), count: 100_000))
    #expect(outcome == .error(.requestLineTooLong))
    #expect(consumed == 8193)
}

@Test func headerCountBoundary() {
    func request(fields: Int) -> [UInt8] {
        var s = "GET / HTTP/1.1\r\nHost: a\r\n"
        for i in 1..<fields { s += "X-\(i): v\r\n" }
        return bytes(s + "\r\n")
    }
    let ok = feed(request(fields: 100), chunks: [])
    if case .head(let head) = ok.outcomes.first { #expect(head.headers.fields.count == 100) } else { Issue.record("no head") }
    #expect(feed(request(fields: 101), chunks: []).outcomes == [.error(.headerSectionTooLarge)])
}

@Test func headerSectionSizeBoundary() {
    // Host line is "Host: a\r\n" (9 bytes); the filler line makes the section exactly 16,384.
    let fillerLength = 16384 - 9 - "X: \r\n".utf8.count
    let exact = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: fillerLength) + "\r\n\r\n"
    let ok = feed(bytes(exact), chunks: [3])
    if case .head(let head) = ok.outcomes.first { #expect(head.headers.first("X")?.utf8.count == fillerLength) } else { Issue.record("no head") }
    let over = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: fillerLength + 1) + "\r\n\r\n"
    #expect(feed(bytes(over), chunks: [3]).outcomes == [.error(.headerSectionTooLarge)])
}

@Test func errorIsFinal() {
    var parser = HTTPRequestParser()
    _ = parser.parse(bytes("GET / HTTP/1.1\r\n folded\r\n"))
    let (consumed, outcome) = parser.parse(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
    #expect(consumed == 0)
    #expect(outcome == .error(.malformed("obsolete line folding")))
}

@Test func randomGarbageNeverCrashes() {
    let seed: UInt64 = 20240601
    var rng = SplitMix64(seed: seed)
    let alphabet = bytes("GET / HTTP/1.1\r\nHost: a:\t ") + [0, 0x7F, 0x80, 0xFF]
    for iteration in 0..<10_000 {
        let length = Int.random(in: 0...300, using: &rng)
        let useAlphabet = Bool.random(using: &rng)
        let input = (0..<length).map { _ in
            useAlphabet ? alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] : UInt8.random(in: 0...255, using: &rng)
        }
        let prefix = iteration % 3 == 0 ? bytes("GET / HTTP/1.1\r\n") : []
        let chunks = [Int.random(in: 1...64, using: &rng)]
        let result = feed(prefix + input, chunks: chunks)
        for outcome in result.outcomes {
            switch outcome {
            case .head(let head): #expect(head.method.isEmpty == false, "seed \(seed) iteration \(iteration)")
            case .error(let error):
                #expect([400, 414, 431, 505].contains(error.status.code), "seed \(seed) iteration \(iteration)")
            case .needMoreData: Issue.record("needMoreData reported as final, seed \(seed)")
            }
        }
    }
}

@Test func keepAliveAndBodyFlags() {
    var head = HTTPRequestHead(method: "GET", target: "/")
    #expect(head.wantsKeepAlive)
    #expect(!head.announcesBody)
    head.headers.add(name: "connection", value: "Upgrade, close")
    #expect(!head.wantsKeepAlive)
    head.headers.add(name: "Content-Length", value: "0")
    #expect(!head.announcesBody)
    var post = HTTPRequestHead(method: "POST", target: "/")
    post.headers.add(name: "Content-Length", value: "10")
    #expect(post.announcesBody)
}
