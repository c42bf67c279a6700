/// Server side of the opening handshake (RFC 6455 §4.2): validates an upgrade request and
/// produces either the 101 response or the rejection the contract asks for (collab.v1 §1).
public struct WebSocketHandshake: Sendable {
    /// The GUID appended to the client's key before hashing (RFC 6455 §1.3).
    public static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The outcome of checking a request.
    public enum Decision: Sendable, Hashable {
        /// Upgrade: send `response` (101) and switch to WebSocket framing with `subprotocol`.
        case accept(response: WebSocketHandshakeResponse, subprotocol: String?)
        /// Refuse: send `response` (400, 405 or 426) and close.
        case reject(WebSocketHandshakeResponse)
    }

    /// Subprotocols the server speaks, most preferred first.
    public var supportedSubprotocols: [String]

    /// Creates a handshake validator; collab.v1 is the only subprotocol by default.
    public init(supportedSubprotocols: [String] = ["collab.v1"]) {
        self.supportedSubprotocols = supportedSubprotocols
    }

    /// `base64(SHA-1(key + GUID))`, the `Sec-WebSocket-Accept` value for `key`.
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(SHA1.hash(key + acceptGUID))
    }

    /// Checks `request` in this order: method (405), HTTP version, Upgrade and Connection
    /// tokens (400), `Sec-WebSocket-Version` (426), key, Host and subprotocol (400).
    public func evaluate(_ request: HTTPRequestHead) -> Decision {
        let headers = request.headers
        guard request.method == "GET" else {
            var allow = HTTPHeaders()
            allow.add(name: "Allow", value: "GET")
            return .reject(.error(status: 405, error: "method_not_allowed",
                                  message: "WebSocket upgrades must use GET", headers: allow))
        }
        guard request.versionMajor > 1 || (request.versionMajor == 1 && request.versionMinor >= 1) else {
            return reject("WebSocket upgrades need HTTP/1.1")
        }
        guard Self.tokens(headers, "Upgrade").contains(where: { Self.equalsIgnoringCase($0, "websocket") }) else {
            return reject("missing 'Upgrade: websocket'")
        }
        guard Self.tokens(headers, "Connection").contains(where: { Self.equalsIgnoringCase($0, "upgrade") }) else {
            return reject("missing 'Connection: Upgrade'")
        }
        let versions = headers.values("Sec-WebSocket-Version")
        guard versions.count == 1, Self.trimmed(versions[0]) == "13" else {
            var version = HTTPHeaders()
            version.add(name: "Sec-WebSocket-Version", value: "13")
            return .reject(.error(status: 426, error: "upgrade_required",
                                  message: "only WebSocket version 13 is supported", headers: version))
        }
        let keys = headers.values("Sec-WebSocket-Key")
        guard keys.count == 1 else { return reject("exactly one Sec-WebSocket-Key is required") }
        let key = String(Self.trimmed(keys[0]))
        guard let decoded = try? Base64.decode(key), decoded.count == 16 else {
            return reject("Sec-WebSocket-Key must be base64 of 16 bytes")
        }
        guard headers.first("Host") != nil else { return reject("missing Host") }

        let offered = Self.tokens(headers, "Sec-WebSocket-Protocol")
        var chosen: String?
        if !offered.isEmpty {
            chosen = supportedSubprotocols.first { offered.contains(Substring($0)) }
            guard chosen != nil else {
                return reject("unsupported subprotocol; supported: " + supportedSubprotocols.joined(separator: ", "))
            }
        }

        var response = HTTPHeaders()
        response.add(name: "Upgrade", value: "websocket")
        response.add(name: "Connection", value: "Upgrade")
        response.add(name: "Sec-WebSocket-Accept", value: Self.acceptValue(forKey: key))
        if let chosen { response.add(name: "Sec-WebSocket-Protocol", value: chosen) }
        return .accept(response: WebSocketHandshakeResponse(status: 101, headers: response), subprotocol: chosen)
    }

    private func reject(_ message: String) -> Decision {
        .reject(.error(status: 400, error: "bad_request", message: message))
    }

    // MARK: - Header token lists (shared with the client handshake)

    /// The non-empty, trimmed elements of every comma-separated `name` field.
    static func tokens(_ headers: HTTPHeaders, _ name: String) -> [Substring] {
        headers.values(name).flatMap { value in
            value.split(separator: ",").map { trimmed($0) }.filter { !$0.isEmpty }
        }
    }

    static func trimmed(_ s: some StringProtocol) -> Substring {
        let sub = Substring(s)
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = sub.firstIndex(where: { !isSpace($0) }),
              let end = sub.lastIndex(where: { !isSpace($0) }) else { return "" }
        return sub[start...end]
    }

    static func equalsIgnoringCase(_ a: some StringProtocol, _ b: String) -> Bool {
        HTTPHeaders.namesEqual(String(a), b)
    }
}
