/// The application side of one server WebSocket: receives its events, always on the
/// connection's event loop. The connection holds its delegate strongly until `webSocketDidClose`.
public protocol WebSocketServerDelegate: AnyObject {
    /// The handshake is done and the connection is on its final loop; sending may start.
    func webSocketDidOpen(_ webSocket: WebSocketServerConnection)
    /// A complete text message arrived (valid UTF-8).
    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveText text: String)
    /// A complete binary message arrived.
    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveBinary bytes: [UInt8])
    /// `webSocket.isWritable` flipped (the send queue crossed the high or the low watermark).
    /// Default: nothing.
    func webSocketWritabilityChanged(_ webSocket: WebSocketServerConnection)
    /// The send queue went over `sendQueueLimit` (a slow consumer); called once per connection.
    /// Default: close with 1013 (try again later), as collab.v1 asks.
    func webSocketSendQueueOverflowed(_ webSocket: WebSocketServerConnection)
    /// The connection is gone; called exactly once. `code` is the peer's close code if it sent
    /// a close frame (1005 if empty), else the code we sent, else 1006 (abnormal closure).
    func webSocketDidClose(_ webSocket: WebSocketServerConnection, code: WebSocketCloseCode, reason: String)
}

extension WebSocketServerDelegate {
    public func webSocketDidOpen(_ webSocket: WebSocketServerConnection) {}
    public func webSocketWritabilityChanged(_ webSocket: WebSocketServerConnection) {}
    public func webSocketSendQueueOverflowed(_ webSocket: WebSocketServerConnection) {
        webSocket.close(code: .tryAgainLater, reason: "send queue overflow")
    }
}
