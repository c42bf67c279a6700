import Testing
@testable import CollabTransport

@Suite struct WebSocketHandshakeTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    static func request(method: String = "GET", minor: Int = 1, removing: Set<String> = [],
                        replacing: [String: String] = [:], adding: [(String, String)] = []) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        for (name, value) in [("Host", "example.com"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                              ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")]
        where !removing.contains(name) {
            headers.add(name: name, value: replacing[name] ?? value)
        }
        for (name, value) in adding { headers.add(name: name, value: value) }
        return HTTPRequestHead(method: method, target: "/v1/docs/a?token=x", versionMajor: 1, versionMinor: minor, headers: headers)
    }

    @Test func rfcKnownAnswer() {
        #expect(WebSocketHandshake.acceptValue(forKey: Self.key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func acceptsAndProduces101() {
        guard case .accept(let response, let subprotocol) = WebSocketHandshake().evaluate(Self.request()) else {
            Issue.record("rejected"); return
        }
        #expect(subprotocol == nil)
        #expect(response.status == 101)
        #expect(response.headers.first("Sec-WebSocket-Accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(response.headers.first("Sec-WebSocket-Protocol") == nil)
        #expect(String(decoding: response.serialized(), as: UTF8.self) ==
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
    }

    @Test func tokenListsAreCaseInsensitive() {
        let r = Self.request(replacing: ["Upgrade": "WebSocket", "Connection": "keep-alive, UPGRADE"])
        guard case .accept = WebSocketHandshake().evaluate(r) else { Issue.record("rejected"); return }
    }

    @Test func subprotocolSelection() {
        let h = WebSocketHandshake()
        for offer in ["collab.v1", "other, collab.v1", " collab.v1 "] {
            guard case .accept(let response, let chosen) = h.evaluate(Self.request(adding: [("Sec-WebSocket-Protocol", offer)])) else {
                Issue.record("rejected \(offer)"); continue
            }
            #expect(chosen == "collab.v1")
            #expect(response.headers.first("Sec-WebSocket-Protocol") == "collab.v1")
        }
        // Offered in two header fields.
        let twoFields = Self.request(adding: [("Sec-WebSocket-Protocol", "x"), ("Sec-WebSocket-Protocol", "collab.v1")])
        guard case .accept(_, "collab.v1") = h.evaluate(twoFields) else { Issue.record("two fields"); return }
    }

    @Test func onlyOtherSubprotocolsIs400NamingSupported() {
        guard case .reject(let response) = WebSocketHandshake().evaluate(Self.request(adding: [("Sec-WebSocket-Protocol", "chat, mqtt")])) else {
            Issue.record("accepted"); return
        }
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self)
                == #"{"error":"bad_request","message":"unsupported subprotocol; supported: collab.v1"}"#)
        #expect(response.headers.first("Content-Type") == "application/json")
    }

    static let rejections: [(String, HTTPRequestHead, Int)] = [
        ("POST", request(method: "POST"), 405),
        ("HTTP/1.0", request(minor: 0), 400),
        ("no Upgrade", request(removing: ["Upgrade"]), 400),
        ("Upgrade: h2c", request(replacing: ["Upgrade": "h2c"]), 400),
        ("no Connection", request(removing: ["Connection"]), 400),
        ("Connection: keep-alive", request(replacing: ["Connection": "keep-alive"]), 400),
        ("no version", request(removing: ["Sec-WebSocket-Version"]), 426),
        ("version 8", request(replacing: ["Sec-WebSocket-Version": "8"]), 426),
        ("two versions", request(adding: [("Sec-WebSocket-Version", "8")]), 426),
        ("no key", request(removing: ["Sec-WebSocket-Key"]), 400),
        ("key of 15 bytes", request(replacing: ["Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25j"]), 400),
        ("key not base64", request(replacing: ["Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ!!"]), 400),
        ("key non-canonical", request(replacing: ["Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZR=="]), 400),
        ("two keys", request(adding: [("Sec-WebSocket-Key", key)]), 400),
        ("no Host", request(removing: ["Host"]), 400),
    ]

    @Test(arguments: 0..<rejections.count)
    func rejectionMatrix(index: Int) {
        let (name, request, status) = Self.rejections[index]
        guard case .reject(let response) = WebSocketHandshake().evaluate(request) else {
            Issue.record("\(name): accepted"); return
        }
        #expect(response.status == status, "\(name)")
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.hasPrefix(#"{"error":""#) && body.contains(#","message":""#), "\(name): \(body)")
        switch status {
        case 426: #expect(response.headers.first("Sec-WebSocket-Version") == "13", "\(name)")
        case 405: #expect(response.headers.first("Allow") == "GET", "\(name)")
        default: #expect(body.hasPrefix(#"{"error":"bad_request""#), "\(name)")
        }
        let wire = String(decoding: response.serialized(), as: UTF8.self)
        #expect(wire.hasPrefix("HTTP/1.1 \(status) ") && wire.contains("Content-Length: \(response.body.count)\r\n"), "\(name)")
    }

    @Test func jsonBodyIsEscaped() {
        let response = WebSocketHandshakeResponse.error(status: 400, error: "bad_request", message: "a \"q\" \\ \n\u{1}é")
        #expect(String(decoding: response.body, as: UTF8.self)
                == #"{"error":"bad_request","message":"a \"q\" \\ \n\u0001é"}"#)
    }
}
