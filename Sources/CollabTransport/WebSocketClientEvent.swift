/// What the async API reports from an open WebSocket client connection.
public enum WebSocketClientEvent: Sendable, Hashable {
    /// A complete message from the server.
    case message(WebSocketMessage)
    /// The connection ended: the code and reason the server's close frame carried (1005 if it
    /// had none), or 1006 if TCP closed without a close frame. Last event.
    case closed(code: WebSocketCloseCode, reason: String)
}
