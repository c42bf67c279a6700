import Testing
@testable import CollabTransport

@Suite struct WebSocketClientHandshakeTests {
    static let keyBytes = Array("the sample nonce".utf8)

    func handshake(_ subprotocols: [String] = ["collab.v1"]) throws -> WebSocketClientHandshake {
        var extra = HTTPHeaders()
        extra.add(name: "Authorization", value: "Bearer abc")
        return try WebSocketClientHandshake(host: "example.com:8080", target: "/v1/docs/a", subprotocols: subprotocols,
                                            extraHeaders: extra, keyBytes: Self.keyBytes)
    }

    func head(status: Int = 101, _ fields: [(String, String)]) -> HTTPResponseParser.Head {
        HTTPResponseParser.Head(versionMajor: 1, versionMinor: 1, status: status, reason: "",
                                headers: HTTPHeaders(fields.map { (name: $0.0, value: $0.1) }))
    }

    static let good = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")]

    @Test func requestBytes() throws {
        let h = try handshake()
        #expect(h.key == "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(String(decoding: h.serializedRequest(), as: UTF8.self) ==
            "GET /v1/docs/a HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: collab.v1\r\nAuthorization: Bearer abc\r\n\r\n")
    }

    @Test func randomKeysDiffer() throws {
        let a = try WebSocketClientHandshake(host: "h", target: "/")
        let b = try WebSocketClientHandshake(host: "h", target: "/")
        #expect(a.key != b.key)
        #expect(try Base64.decode(a.key).count == 16)
    }

    @Test func refusesHeaderInjection() {
        var extra = HTTPHeaders()
        extra.add(name: "X", value: "a\r\nEvil: 1")
        #expect(throws: WebSocketClientHandshakeError.invalidRequestHeader("a\r\nEvil: 1")) {
            try WebSocketClientHandshake(host: "h", target: "/", extraHeaders: extra)
        }
    }

    @Test func acceptsValidResponses() throws {
        let h = try handshake()
        #expect(try h.validate(head(Self.good)) == nil)
        #expect(try h.validate(head(Self.good + [("Sec-WebSocket-Protocol", "collab.v1")])) == "collab.v1")
        #expect(try h.validate(head([("upgrade", "WebSocket"), ("connection", "keep-alive, upgrade"),
                                     ("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")])) == nil)
    }

    @Test(arguments: [
        (400, [("Upgrade", "websocket")], WebSocketClientHandshakeError.unexpectedStatus(400)),
        (101, [("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")], .missingUpgrade),
        (101, [("Upgrade", "websocket"), ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")], .missingConnectionUpgrade),
        (101, [("Upgrade", "websocket"), ("Connection", "Upgrade")], .invalidAccept),
        (101, [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo")], .invalidAccept),
        (101, good + [("Sec-WebSocket-Protocol", "chat")], .unexpectedSubprotocol("chat")),
        (101, good + [("Sec-WebSocket-Protocol", "collab.v1, chat")], .unexpectedSubprotocol("collab.v1, chat")),
        (101, good + [("Sec-WebSocket-Extensions", "permessage-deflate")], .unexpectedExtension("permessage-deflate")),
    ] as [(Int, [(String, String)], WebSocketClientHandshakeError)])
    func rejectsInvalidResponses(status: Int, fields: [(String, String)], error: WebSocketClientHandshakeError) throws {
        let h = try handshake()
        #expect(throws: error) { try h.validate(head(status: status, fields)) }
    }

    /// Client request → server handshake → serialized response → parser → client validation.
    @Test func endToEndWithTheServerHandshake() throws {
        let client = try handshake(["collab.v2", "collab.v1"])
        guard case .accept(let response, let chosen) = WebSocketHandshake().evaluate(client.request) else {
            Issue.record("server rejected the client's request"); return
        }
        var parser = HTTPResponseParser()
        parser.append(response.serialized() + [0x81, 0x00])
        let head = try #require(try parser.parse())
        #expect(try client.validate(head) == chosen)
        #expect(chosen == "collab.v1")
        #expect(parser.remainingBytes == [0x81, 0x00])
    }
}
