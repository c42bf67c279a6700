/// An open WebSocket client connection for `async` code (tests, tools), usable from any task.
///
/// Incoming events queue until read with `next()` (or `events`); one reader at a time.
/// Dropping the last reference closes the connection with 1001. The calls hop to the client's
/// loop, so they must not be used after that loop has shut down.
public final class WebSocketClientConnection: Sendable {
    /// The loop the client runs on.
    public let eventLoop: EventLoop
    /// The subprotocol the server selected, if any.
    public let subprotocol: String?
    private let client: LoopBound<WebSocketClient>
    private let mailbox: WebSocketClientMailbox

    init(client: WebSocketClient, subprotocol: String?, mailbox: WebSocketClientMailbox) {
        eventLoop = client.eventLoop
        self.client = LoopBound(client, eventLoop: client.eventLoop)
        self.subprotocol = subprotocol
        self.mailbox = mailbox
    }

    deinit {
        let client = self.client
        eventLoop.execute { client.value.close(code: .goingAway) }
    }

    /// Queues `message` for sending; throws `.closed` once a close was sent or received.
    public func send(_ message: WebSocketMessage) async throws(WebSocketClientError) {
        let client = self.client
        let sent = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            eventLoop.execute {
                let client = client.value
                guard client.isOpen else { return continuation.resume(returning: false) }
                client.send(message)
                continuation.resume(returning: true)
            }
        }
        if !sent { throw .closed }
    }

    /// Sends a text message.
    public func send(text: String) async throws(WebSocketClientError) {
        try await send(.text(text))
    }

    /// Sends a binary message.
    public func send(binary: [UInt8]) async throws(WebSocketClientError) {
        try await send(.binary(binary))
    }

    /// Starts the close handshake; the `.closed` event follows when it completes.
    public func close(code: WebSocketCloseCode = .normalClosure, reason: String = "") async {
        let client = self.client
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            eventLoop.execute {
                client.value.close(code: code, reason: reason)
                continuation.resume()
            }
        }
    }

    /// The next event; nil after `.closed` was read, or if the calling task is cancelled.
    public func next() async -> WebSocketClientEvent? {
        await mailbox.next()
    }

    /// The events as an async sequence (reads through `next()`).
    public var events: AsyncStream<WebSocketClientEvent> {
        AsyncStream(unfolding: { await self.next() })
    }
}
