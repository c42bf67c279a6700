/// What a route decided to do with a request.
public enum HTTPRouteResult: Sendable {
    /// Send this response (keep-alive unless the client or the response asks to close).
    case respond(HTTPResponse)
    /// Send `response` (101 + headers), then let another protocol take the connection.
    case upgrade(HTTPUpgrade)
    /// The route will answer later through `request.responder` (e.g. after a storage read).
    case deferred
}

/// A protocol switch: the 101 response and who takes over the connection afterwards.
public struct HTTPUpgrade: Sendable {
    /// The response to send first (normally 101 Switching Protocols with its headers).
    public var response: HTTPResponse
    /// The loop that should own the connection afterwards (nil: stay on the current loop),
    /// e.g. the loop of the document's room.
    public var targetLoop: EventLoop?
    /// Builds the new handler on the target loop; it first receives any bytes that
    /// followed the request head.
    public var makeHandler: @Sendable (Connection) -> any ConnectionHandler

    /// An upgrade that sends `response`, moves to `targetLoop` and installs `makeHandler`'s handler.
    public init(response: HTTPResponse, targetLoop: EventLoop? = nil,
                makeHandler: @escaping @Sendable (Connection) -> any ConnectionHandler) {
        self.response = response
        self.targetLoop = targetLoop
        self.makeHandler = makeHandler
    }
}
