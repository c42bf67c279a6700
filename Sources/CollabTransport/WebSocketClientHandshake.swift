import COpenSSL

/// Client side of the opening handshake: builds the upgrade request with a fresh random key
/// and checks the server's response (RFC 6455 §4.1).
public struct WebSocketClientHandshake: Sendable {
    /// The base64 `Sec-WebSocket-Key` sent (16 random bytes).
    public let key: String
    /// The request sent to the server.
    public let request: HTTPRequestHead
    /// The subprotocols offered, in preference order.
    public let offeredSubprotocols: [String]

    /// Builds a request for `target` (path and query) on `host` (the `Host` value, with port if
    /// not the default), offering `subprotocols` and adding `extraHeaders` (e.g. Authorization).
    /// `keyBytes` overrides the random key, for tests.
    public init(host: String, target: String, subprotocols: [String] = [],
                extraHeaders: HTTPHeaders = HTTPHeaders(),
                keyBytes: [UInt8]? = nil) throws(WebSocketClientHandshakeError) {
        for text in [host, target] + subprotocols + extraHeaders.flatMap({ [$0.name, $0.value] })
        where text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
            throw .invalidRequestHeader(text)
        }
        key = Base64.encode(keyBytes ?? Self.randomKeyBytes())
        offeredSubprotocols = subprotocols
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Sec-WebSocket-Key", value: key)
        headers.add(name: "Sec-WebSocket-Version", value: "13")
        if !subprotocols.isEmpty {
            headers.add(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", "))
        }
        for field in extraHeaders { headers.add(name: field.name, value: field.value) }
        request = HTTPRequestHead(method: "GET", target: target, headers: headers)
    }

    /// The request as bytes on the wire.
    public func serializedRequest() -> [UInt8] {
        var text = "\(request.method) \(request.target) HTTP/1.1\r\n"
        for field in request.headers { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Checks the server's response head; returns the subprotocol it selected, if any.
    public func validate(_ response: HTTPResponseParser.Head) throws(WebSocketClientHandshakeError) -> String? {
        let headers = response.headers
        guard response.status == 101 else { throw .unexpectedStatus(response.status) }
        guard WebSocketHandshake.tokens(headers, "Upgrade")
            .contains(where: { WebSocketHandshake.equalsIgnoringCase($0, "websocket") })
        else { throw .missingUpgrade }
        guard WebSocketHandshake.tokens(headers, "Connection")
            .contains(where: { WebSocketHandshake.equalsIgnoringCase($0, "upgrade") })
        else { throw .missingConnectionUpgrade }
        let accepts = headers.values("Sec-WebSocket-Accept")
        guard accepts.count == 1,
              WebSocketHandshake.trimmed(accepts[0]) == WebSocketHandshake.acceptValue(forKey: key)
        else { throw .invalidAccept }
        if let ext = WebSocketHandshake.tokens(headers, "Sec-WebSocket-Extensions").first {
            throw .unexpectedExtension(String(ext))
        }
        let chosen = WebSocketHandshake.tokens(headers, "Sec-WebSocket-Protocol")
        switch chosen.count {
        case 0:
            return nil
        case 1:
            guard offeredSubprotocols.contains(String(chosen[0])) else {
                throw .unexpectedSubprotocol(String(chosen[0]))
            }
            return String(chosen[0])
        default:
            throw .unexpectedSubprotocol(chosen.joined(separator: ", "))
        }
    }

    /// 16 bytes from OpenSSL's CSPRNG (falling back to the system generator if it fails).
    static func randomKeyBytes() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, 16) }
        if ok != 1 {
            var generator = SystemRandomNumberGenerator()
            for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &generator) }
        }
        return bytes
    }
}
