/// An HTTP response produced by the server handshake: the 101 upgrade or a rejection.
public struct WebSocketHandshakeResponse: Sendable, Hashable {
    /// The status code, e.g. 101, 400, 405, 426.
    public var status: Int
    /// Header fields to send (Content-Length is added by `serialized()` when there is a body).
    public var headers: HTTPHeaders
    /// The body; for rejections a JSON object `{"error":"...","message":"..."}`.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An error response with the contract's JSON body; `error` is e.g. `bad_request`.
    public static func error(status: Int, error: String, message: String,
                             headers: HTTPHeaders = HTTPHeaders()) -> WebSocketHandshakeResponse {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Connection", value: "close")
        let json = "{\"error\":\"\(jsonEscaped(error))\",\"message\":\"\(jsonEscaped(message))\"}"
        return WebSocketHandshakeResponse(status: status, headers: headers, body: Array(json.utf8))
    }

    /// The standard reason phrase for the statuses this layer produces.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 101: "Switching Protocols"
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 426: "Upgrade Required"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Unknown"
        }
    }

    /// The response as bytes on the wire: status line, headers, Content-Length if a body, body.
    public func serialized() -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for field in headers { text += "\(field.name): \(field.value)\r\n" }
        if !body.isEmpty || status >= 200 { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    /// Escapes `s` for use inside a JSON string literal.
    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
