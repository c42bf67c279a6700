/// A response to serialize: status, headers and a body (shared, never copied per send).
/// `Content-Length` and `Connection` are added on serialization; no `Date`.
public struct HTTPResponse: Sendable {
    /// The status line's code and phrase.
    public var status: HTTPStatus
    /// Extra header fields (not `Content-Length`). A `Connection: close` field makes the server
    /// close after this response; other `Connection` fields are replaced on serialization.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: SharedBytes

    /// A response with a byte body.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: SharedBytes = SharedBytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ status: HTTPStatus, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                     body: SharedBytes(Array(text.utf8)))
    }

    /// An `application/json` response with `json` as the body.
    public static func json(_ status: HTTPStatus, _ json: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]),
                     body: SharedBytes(Array(json.utf8)))
    }

    /// The contract's error body: `{"error":"<code>","message":"<message>"}`.
    public static func error(_ status: HTTPStatus, code: String, message: String) -> HTTPResponse {
        .json(status, "{\"error\":\(jsonString(code)),\"message\":\(jsonString(message))}")
    }

    /// The contract's error code for a status (`bad_request`, `not_found`, ...).
    public static func errorCode(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 409: "conflict"
        case 410: "gone"
        case 411: "length_required"
        case 413: "content_too_large"
        case 414: "uri_too_long"
        case 426: "upgrade_required"
        case 429: "too_many_requests"
        case 431: "header_fields_too_large"
        case 505: "http_version_not_supported"
        case 503: "unavailable"
        default: "internal_error"
        }
    }

    /// `string` as a JSON string literal (quotes, backslashes and control characters escaped).
    public static func jsonString(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }

    /// Whether the headers ask to close the connection after this response (`Connection: close`).
    public var asksToClose: Bool {
        headers.values("Connection").contains { value in
            value.split(separator: ",").contains { WebSocketHandshake.trimmed($0).lowercased() == "close" }
        }
    }

    /// The status line and headers, ending with the empty line. 1xx responses get neither
    /// `Content-Length` nor `Connection` (a 101 carries its own `Connection: Upgrade`).
    public func serializedHead(keepAlive: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in headers {
            // From 200 on, serialization writes the one `Connection` field itself.
            if status.code >= 200 && HTTPHeaders.namesEqual(field.name, "Connection") { continue }
            text += "\(field.name): \(field.value)\r\n"
        }
        if status.code >= 200 {
            if status.code != 204 && status.code != 304 { text += "Content-Length: \(body.count)\r\n" }
            text += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}
