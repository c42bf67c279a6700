/// What the application decides about a WebSocket upgrade request that passed the
/// RFC 6455 checks (auth, origin, document id...).
public enum WebSocketUpgradeDecision: Sendable {
    /// Upgrade: move the connection to `targetLoop` (nil: stay) and let `makeDelegate`
    /// build the application side there.
    case accept(targetLoop: EventLoop?,
                makeDelegate: @Sendable (WebSocketServerConnection) -> any WebSocketServerDelegate)
    /// Refuse with this response (any status and body, e.g. 401 with a JSON error);
    /// the connection closes after it and no WebSocket is opened.
    case reject(HTTPResponse)
    /// Decide later through `WebSocketUpgradeRequest.complete(_:)` (e.g. after a storage read).
    case deferred

    /// A rejection with the contract's JSON body `{"error":"<code>","message":"<message>"}`.
    public static func reject(_ status: HTTPStatus, message: String) -> WebSocketUpgradeDecision {
        .reject(.error(status, code: HTTPResponse.errorCode(for: status), message: message))
    }
}
