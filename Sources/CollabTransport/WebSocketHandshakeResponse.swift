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
        let json = "{\"error\":\(HTTPResponse.jsonString(error)),\"message\":\(HTTPResponse.jsonString(message))}"
        return WebSocketHandshakeResponse(status: status, headers: headers, body: Array(json.utf8))
    }

    /// The standard reason phrase of `status`.
    public static func reasonPhrase(_ status: Int) -> String {
        HTTPStatus(code: status).reasonPhrase
    }

    /// The response as bytes on the wire: status line, headers, Content-Length if a body, body.
    public func serialized() -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for field in headers { text += "\(field.name): \(field.value)\r\n" }
        if !body.isEmpty || status >= 200 { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }
}
