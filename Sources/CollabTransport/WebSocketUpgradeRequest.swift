/// A WebSocket upgrade request that passed the RFC 6455 handshake checks, as the
/// application's accept hook sees it.
public struct WebSocketUpgradeRequest: Sendable {
    /// The HTTP request (head, remote address, the loop it arrived on).
    public let request: HTTPRequest
    /// The subprotocol the handshake chose, if the client offered any.
    public let subprotocol: String?
    let upgrader: WebSocketUpgrader
    let acceptResponse: HTTPResponse

    /// The request line and headers.
    public var head: HTTPRequestHead { request.head }

    /// Completes a request whose hook returned `.deferred`; from any thread, once.
    public func complete(_ decision: WebSocketUpgradeDecision) {
        switch upgrader.routeResult(for: decision, of: self) {
        case .respond(let response): request.responder.respond(response)
        case .upgrade(let upgrade): request.responder.upgrade(upgrade)
        case .deferred: break
        }
    }
}
