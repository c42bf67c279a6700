import Testing
@testable import CollabTransport

@Suite struct HTTPResponseParserTests {
    static let response = Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= \r\n\r\n").utf8) + [0x81, 0x00]

    func parse(_ bytes: [UInt8], cuts: [Int], maxHeadSize: Int = 16 * 1024) -> Result<(HTTPResponseParser.Head, [UInt8]), HTTPResponseParser.ParseError>? {
        var parser = HTTPResponseParser(maxHeadSize: maxHeadSize)
        var start = 0
        var head: HTTPResponseParser.Head?
        for end in cuts + [bytes.count] where end >= start {
            parser.append(bytes[start..<end])
            start = end
            do {
                if head == nil { head = try parser.parse() }
            } catch {
                return .failure(error)
            }
        }
        return head.map { .success(($0, parser.remainingBytes)) }
    }

    @Test func parsesWholeAndBytewiseKeepingWhatFollows() throws {
        for cuts in [[], Array(0..<Self.response.count), [50], [Self.response.count - 3]] {
            guard case .success(let (head, rest))? = parse(Self.response, cuts: cuts) else {
                Issue.record("cuts \(cuts)"); continue
            }
            #expect(head.status == 101 && head.reason == "Switching Protocols" && head.versionMajor == 1 && head.versionMinor == 1)
            #expect(head.headers.first("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            #expect(head.headers.fields.count == 3)
            #expect(rest == [0x81, 0x00], "cuts \(cuts)")
        }
    }

    @Test func bareLineFeedsAndEmptyReason() {
        guard case .success(let (head, rest))? = parse(Array("HTTP/1.1 400\nA: b\n\nbody".utf8), cuts: []) else {
            Issue.record("not parsed"); return
        }
        #expect(head.status == 400 && head.reason == "" && head.headers.first("a") == "b")
        #expect(rest == Array("body".utf8))
    }

    @Test func incompleteIsNil() {
        #expect(parse(Array("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n".utf8), cuts: []) == nil)
    }

    @Test(arguments: [
        ("HTTP/1.1 101 OK\r\n folded: x\r\n\r\n", HTTPResponseParser.ParseError.invalidHeader),
        ("HTTP/1.1 101 OK\r\nNo colon\r\n\r\n", .invalidHeader),
        ("HTTP/1.1 101 OK\r\n: empty\r\n\r\n", .invalidHeader),
        ("HTTP/1.1 101 OK\r\nA: b\u{1}c\r\n\r\n", .invalidHeader),
        ("HTTP/1.1 1O1 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 099 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1  101 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 101OK\r\n\r\n", .invalidStatusLine),
        ("HTTX/1.1 101 OK\r\n\r\n", .invalidStatusLine),
        ("\r\n\r\n", .invalidStatusLine),
    ])
    func rejectsMalformed(text: String, error: HTTPResponseParser.ParseError) {
        guard case .failure(let e)? = parse(Array(text.utf8), cuts: []) else { Issue.record("accepted \(text)"); return }
        #expect(e == error, "\(text)")
    }

    @Test func limits() {
        let big = Array(("HTTP/1.1 101 OK\r\nX: " + String(repeating: "a", count: 200) + "\r\n\r\n").utf8)
        guard case .failure(.headTooLarge)? = parse(big, cuts: [10, 100, 150], maxHeadSize: 128) else {
            Issue.record("limit not enforced"); return
        }
        // Fails before the end of the head arrives.
        guard case .failure(.headTooLarge)? = parse(Array(big.prefix(150)), cuts: [], maxHeadSize: 128) else {
            Issue.record("limit not enforced early"); return
        }
        var many = "HTTP/1.1 101 OK\r\n"
        for i in 0..<101 { many += "H\(i): v\r\n" }
        guard case .failure(.tooManyHeaders)? = parse(Array((many + "\r\n").utf8), cuts: []) else {
            Issue.record("header count not enforced"); return
        }
    }
}
