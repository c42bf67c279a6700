/// The route that turns HTTP requests into WebSockets: RFC 6455 checks first, then the
/// application's accept hook, then the 101 and the hand-off to the chosen loop.
/// Every refusal closes the connection (`Connection: close`).
public struct WebSocketUpgrader: Sendable {
    /// Decides about a request that passed the handshake checks; runs on the request's loop.
    public typealias AcceptHook = @Sendable (WebSocketUpgradeRequest) -> WebSocketUpgradeDecision

    /// Per-connection settings of the upgraded WebSockets.
    public let configuration: WebSocketServerConfiguration
    private let handshake: WebSocketHandshake
    private let accept: AcceptHook

    /// An upgrader for `configuration`'s subprotocols that asks `accept` about each request.
    public init(configuration: WebSocketServerConfiguration, accept: @escaping AcceptHook) {
        self.configuration = configuration
        self.handshake = WebSocketHandshake(supportedSubprotocols: configuration.subprotocols)
        self.accept = accept
    }

    /// Handles one request: use as an `HTTPRouter` route.
    public func route(_ request: HTTPRequest) -> HTTPRouteResult {
        switch handshake.evaluate(request.head) {
        case .reject(let refusal):
            return .respond(Self.closingResponse(refusal))
        case .accept(let response, let subprotocol):
            let upgradeRequest = WebSocketUpgradeRequest(
                request: request, subprotocol: subprotocol, upgrader: self,
                acceptResponse: HTTPResponse(status: .switchingProtocols, headers: response.headers))
            return routeResult(for: accept(upgradeRequest), of: upgradeRequest)
        }
    }

    func routeResult(for decision: WebSocketUpgradeDecision, of request: WebSocketUpgradeRequest) -> HTTPRouteResult {
        switch decision {
        case .deferred:
            return .deferred
        case .reject(var response):
            if !response.asksToClose { response.headers.add(name: "Connection", value: "close") }
            return .respond(response)
        case .accept(let targetLoop, let makeDelegate):
            let head = request.head, subprotocol = request.subprotocol
            let webSocket = configuration.webSocket, limit = configuration.sendQueueLimit
            return .upgrade(HTTPUpgrade(response: request.acceptResponse, targetLoop: targetLoop) { connection in
                WebSocketServerConnection(connection: connection, requestHead: head, subprotocol: subprotocol,
                                          configuration: webSocket, sendQueueLimit: limit,
                                          makeDelegate: makeDelegate)
            })
        }
    }

    /// A handshake refusal as an HTTP response that closes the connection.
    static func closingResponse(_ refusal: WebSocketHandshakeResponse) -> HTTPResponse {
        var headers = HTTPHeaders()
        for field in refusal.headers where !HTTPHeaders.namesEqual(field.name, "Connection")
            && !HTTPHeaders.namesEqual(field.name, "Content-Length") {
            headers.add(name: field.name, value: field.value)
        }
        headers.add(name: "Connection", value: "close")
        return HTTPResponse(status: HTTPStatus(code: refusal.status), headers: headers, body: SharedBytes(refusal.body))
    }
}
