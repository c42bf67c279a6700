import Testing
@testable import CollabTransport

/// The client's body decoder: every framing, fed whole and one byte at a time.
@Suite struct HTTPResponseBodyDecoderTests {
    /// Decodes `input` whole and byte by byte; both must agree. Nil if decoding threw.
    func decode(_ input: String, _ framing: HTTPResponseBodyDecoder.Framing, limit: Int = 1_000)
        -> (body: String, complete: Bool)? {
        var results: [(String, Bool)] = []
        for split in [false, true] {
            guard var decoder = try? HTTPResponseBodyDecoder(framing: framing, maxBodySize: limit) else { return nil }
            var body: [UInt8] = []
            let bytes = Array(input.utf8)
            do {
                if split {
                    for byte in bytes { try decoder.decode([byte], into: &body) }
                } else {
                    try decoder.decode(bytes, into: &body)
                }
            } catch {
                return nil
            }
            results.append((String(decoding: body, as: UTF8.self), decoder.isComplete))
        }
        #expect(results[0] == results[1], "whole and byte-by-byte disagree for \(input)")
        return results[0]
    }

    @Test func contentLengthStopsAtTheLength() {
        #expect(decode("hello world", .length(5))! == ("hello", true))
        #expect(decode("hel", .length(5))! == ("hel", false))
        #expect(decode("", .length(0))! == ("", true))
        #expect(decode("x", .empty)! == ("", true))
    }

    @Test func chunkedWithExtensionsAndTrailers() {
        #expect(decode("5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nignored", .chunked)!
                == ("hello world", true))
        #expect(decode("A\r\n0123456789\r\n0\r\n\r\n", .chunked)! == ("0123456789", true))
        #expect(decode("3\nabc\n0\n\n", .chunked)! == ("abc", true))
        #expect(decode("5\r\nhel", .chunked)! == ("hel", false))
    }

    @Test func malformedChunksAreRefused() {
        #expect(decode("zz\r\nhello\r\n", .chunked) == nil)
        #expect(decode("\r\n", .chunked) == nil)
        #expect(decode("3\r\nabcX\r\n", .chunked) == nil)
        #expect(decode(String(repeating: "1", count: 9_000), .chunked) == nil)
    }

    @Test func theLimitHoldsForEveryFraming() {
        #expect(decode("", .length(1_001)) == nil)
        #expect(decode("3E9\r\n", .chunked) == nil)  // 1,001 announced
        #expect(decode("1F4\r\n" + String(repeating: "a", count: 500) + "\r\n1F5\r\n", .chunked) == nil)
        #expect(decode(String(repeating: "a", count: 1_001), .untilClose) == nil)
        #expect(decode(String(repeating: "a", count: 1_000), .untilClose)!.body.count == 1_000)
    }

    @Test func framingFollowsRFC9112() throws {
        func framing(_ status: Int, _ fields: [(String, String)]) -> HTTPResponseBodyDecoder.Framing? {
            try? HTTPResponseBodyDecoder.framing(status: status, headers: HTTPHeaders(fields))
        }
        #expect(framing(200, [("Content-Length", "12")]) == .length(12))
        #expect(framing(200, [("Content-Length", "12"), ("Content-Length", "12")]) == .length(12))
        #expect(framing(200, [("Content-Length", "12"), ("Content-Length", "13")]) == nil)
        #expect(framing(200, [("Content-Length", "-1")]) == nil)
        #expect(framing(200, [("Transfer-Encoding", "chunked"), ("Content-Length", "3")]) == .chunked)
        #expect(framing(200, [("Transfer-Encoding", "gzip, chunked")]) == nil)
        #expect(framing(200, []) == .untilClose)
        #expect(framing(204, [("Content-Length", "5")]) == .empty)
        #expect(framing(304, []) == .empty)
    }

    @Test func urlsParseAndAppend() throws {
        let url = try #require(HTTPClientURL("https://[::1]:8443/base/"))
        #expect(url.isSecure && url.host == "::1" && url.port == 8443 && url.hostHeader == "[::1]:8443")
        #expect(url.appending("/v1/docs?x=1").target == "/base/v1/docs?x=1")
        let plain = try #require(HTTPClientURL("http://example.com"))
        #expect(plain.port == 80 && plain.target == "/" && plain.appending("/healthz").description == "http://example.com/healthz")
        #expect(HTTPClientURL("ws://example.com") == nil)
        #expect(HTTPClientURL("http://user@example.com") == nil)
        #expect(HTTPClientURL("http://example.com:99999") == nil)
        #expect(HTTPClientURL("http://example.com/#frag") == nil)
    }
}
