extension WebSocketClient {
    /// Connects to `url` (`ws://` or `wss://`) on `eventLoop` from any task and waits for the
    /// opening handshake. A refusal throws `.handshakeRejected` with the status and body.
    public static func connect(url: String, configuration: WebSocketClientConfiguration = .init(),
                               on eventLoop: EventLoop) async throws(WebSocketClientError) -> WebSocketClientConnection {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<WebSocketClientStream.Outcome, Never>) in
            eventLoop.execute {
                let stream = WebSocketClientStream(opened: continuation)
                WebSocketClient.connect(url: url, configuration: configuration, on: eventLoop, delegate: stream)
            }
        }
        return try outcome.get()
    }
}
