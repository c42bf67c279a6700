/// Receives a loop-level `WebSocketClient`'s events, always on the client's event loop.
public protocol WebSocketClientDelegate: AnyObject {
    /// The opening handshake succeeded; the client may send. `subprotocol` is the server's choice.
    func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?)
    /// A text message arrived.
    func webSocketClient(_ client: WebSocketClient, didReceiveText text: String)
    /// A binary message arrived.
    func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8])
    /// The connection could not be opened (called instead of everything else). Last call.
    func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError)
    /// An open connection ended (see `WebSocketClientEvent.closed` for the code). Last call.
    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String)
}
