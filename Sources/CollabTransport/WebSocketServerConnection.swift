/// One upgraded server WebSocket: the `ConnectionHandler` that runs a
/// `WebSocketConnectionStateMachine` on the connection's loop (decoding, pongs, the close
/// handshake, heartbeat), and the object the application sends through.
///
/// Created on the loop that owns the connection after the upgrade (`HTTPUpgrade.targetLoop`),
/// and used only there: it is not `Sendable`. To reach it from another loop, post a closure
/// to `eventLoop`.
public final class WebSocketServerConnection: ConnectionHandler {
    /// The loop this WebSocket lives on.
    public let eventLoop: EventLoop
    /// The peer's address, if known.
    public let remoteAddress: SocketAddress?
    /// The upgrade request (path, query, headers such as `Origin`).
    public let requestHead: HTTPRequestHead
    /// The subprotocol chosen in the handshake, if the client offered one we speak.
    public let subprotocol: String?
    /// Queued outbound bytes above which the delegate hears `webSocketSendQueueOverflowed`.
    public let sendQueueLimit: Int

    private let connection: Connection
    private let configuration: WebSocketConfiguration
    private var machine: WebSocketConnectionStateMachine
    private var delegate: (any WebSocketServerDelegate)?
    private var heartbeatTimer: TimerHandle?
    private var closeTimer: TimerHandle?
    private var teardownTimer: TimerHandle?
    /// Depth of input processing: sends are only queued then, and flushed once at the end.
    private var batchDepth = 0
    /// A flush is already asked of the loop for the end of this round.
    private var flushScheduled = false
    private var closeFrameSent = false
    private var sentClose: (code: WebSocketCloseCode, reason: String)?
    private var receivedClose: (code: WebSocketCloseCode, reason: String)?
    private var overflowReported = false
    private var didClose = false

    /// Takes over `connection` (call on its loop, from `HTTPUpgrade.makeHandler`);
    /// `makeDelegate` builds the application side for this WebSocket.
    public init(connection: Connection, requestHead: HTTPRequestHead, subprotocol: String?,
                configuration: WebSocketConfiguration, sendQueueLimit: Int,
                makeDelegate: (WebSocketServerConnection) -> any WebSocketServerDelegate) {
        connection.eventLoop.preconditionInEventLoop()
        self.connection = connection
        self.eventLoop = connection.eventLoop
        self.remoteAddress = connection.remoteAddress
        self.requestHead = requestHead
        self.subprotocol = subprotocol
        self.configuration = configuration
        self.sendQueueLimit = sendQueueLimit
        machine = WebSocketConnectionStateMachine(role: .server, configuration: configuration,
                                                  now: .now)
        delegate = makeDelegate(self)
    }

    // MARK: - Application API

    /// Whether messages can still be sent (our close frame has not gone out, the TCP
    /// connection is up).
    ///
    /// Gated here rather than by the state machine: the machine already counts a failure or
    /// a close further on in the same read, while the application still answers the messages
    /// that came before it, and those answers belong on the wire before our close frame.
    public var isOpen: Bool { !closeFrameSent && !didClose }

    /// `sendmsg` calls made on the connection so far.
    var sendCalls: Int { connection.sendCalls }

    /// Bytes queued for the peer and not yet taken by the kernel.
    public var queuedBytes: Int { connection.queuedBytes }

    /// False while the send queue is above the connection's high watermark, until it
    /// drains to the low one (`webSocketWritabilityChanged` reports each flip).
    public var isWritable: Bool { connection.isWritable }

    /// Sends a text message; dropped once the connection is closing.
    public func send(text: String) {
        eventLoop.preconditionInEventLoop()
        guard isOpen else { return }
        emit(WebSocketFrameEncoder.sharedTextFrame(text))
    }

    /// Sends a binary message; dropped once the connection is closing.
    public func send(binary: [UInt8]) {
        eventLoop.preconditionInEventLoop()
        guard isOpen else { return }
        emit(WebSocketFrameEncoder.sharedFrame(opcode: .binary, payload: binary))
    }

    /// Queues a complete, unmasked frame encoded once for many recipients (see
    /// `WebSocketFrameEncoder.sharedFrame`); the bytes are shared, not copied.
    /// Dropped once the connection is closing.
    public func send(frame: SharedBytes) {
        eventLoop.preconditionInEventLoop()
        guard isOpen else { return }
        emit(frame)
    }

    /// Starts the close handshake with `code`: a close frame, then TCP closes when the peer
    /// answers or after the close timeout. Nothing is sent after it.
    public func close(code: WebSocketCloseCode = .normalClosure, reason: String = "") {
        eventLoop.preconditionInEventLoop()
        perform(machine.close(code: code, reason: reason))
    }

    // MARK: - ConnectionHandler

    public func connectionAttached(_ connection: Connection) {
        heartbeatTimer = scheduleHeartbeat(after: configuration.pingInterval)
        delegate?.webSocketDidOpen(self)
    }

    public func connectionReadable(_ connection: Connection, bytes: UnsafeRawBufferPointer) {
        batchDepth += 1
        perform(machine.bytesReceived(bytes, now: .now))
        batchDepth -= 1
        if batchDepth == 0 { flush() }
    }

    public func connectionWritabilityChanged(_ connection: Connection) {
        delegate?.webSocketWritabilityChanged(self)
    }

    public func connectionInputClosed(_ connection: Connection) {
        perform(machine.inputClosed())
    }

    public func connectionClosed(_ connection: Connection, error: IOError?) {
        for timer in [heartbeatTimer, closeTimer, teardownTimer] { timer?.cancel() }
        heartbeatTimer = nil
        closeTimer = nil
        teardownTimer = nil
        guard !didClose else { return }
        didClose = true
        let (code, reason) = receivedClose ?? sentClose ?? (.abnormalClosure, "")
        // Released after the call: breaks the usual delegate <-> connection cycle.
        let closedDelegate = delegate
        delegate = nil
        closedDelegate?.webSocketDidClose(self, code: code, reason: reason)
    }

    // MARK: - Actions

    private func perform(_ actions: [WebSocketConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .deliverText(let text):
                delegate?.webSocket(self, didReceiveText: text)
            case .deliverBinary(let bytes):
                delegate?.webSocket(self, didReceiveBinary: bytes)
            case .deliverClose(let code, let reason):
                receivedClose = (code, reason)
            case .sendMessage(.text(let text)):
                emit(WebSocketFrameEncoder.sharedTextFrame(text))
            case .sendMessage(.binary(let bytes)):
                emit(WebSocketFrameEncoder.sharedFrame(opcode: .binary, payload: bytes))
            case .sendPing(let payload):
                emit(WebSocketFrameEncoder.sharedFrame(opcode: .ping, payload: payload))
            case .sendPong(let payload):
                emit(WebSocketFrameEncoder.sharedFrame(opcode: .pong, payload: payload))
            case .sendClose(let code, let reason):
                let payload = code.map { WebSocketClosePayload(code: $0, reason: reason).encoded() } ?? []
                emit(WebSocketFrameEncoder.sharedFrame(opcode: .close, payload: payload))
                closeFrameSent = true
                if let code { sentClose = (code, reason) }
            case .startCloseTimer(let delay):
                closeTimer?.cancel()
                closeTimer = eventLoop.scheduleTimer(after: delay) { [weak self] in
                    guard let self else { return }
                    self.closeTimer = nil
                    // The peer did not finish the handshake: do not wait for our queue either.
                    if !self.machine.closeTimerFired().isEmpty { self.connection.close() }
                }
            case .scheduleHeartbeat(let delay):
                heartbeatTimer?.cancel()
                heartbeatTimer = scheduleHeartbeat(after: delay)
            case .closeTCP:
                closeTCP()
            }
        }
    }

    /// Queues a frame; it is sent when input processing ends or, outside it, when the loop's
    /// round ends (so a broadcast round sends each peer one `sendmsg`, not one per message).
    /// After our close frame nothing more may go out (RFC 6455 §5.5.1).
    private func emit(_ frame: SharedBytes) {
        guard !closeFrameSent else { return }
        connection.enqueue(frame)
        guard batchDepth == 0, !flushScheduled else { return }
        flushScheduled = true
        eventLoop.deferFlush(self)
    }

    private func flush() {
        connection.flush()
        if !overflowReported && connection.queuedBytes > sendQueueLimit && connection.isOpen {
            overflowReported = true
            delegate?.webSocketSendQueueOverflowed(self)
        }
    }

    private func closeTCP() {
        flush()
        connection.close(afterFlush: true)
        // A peer that stops reading would keep the flush (and this connection) forever.
        guard !didClose, teardownTimer == nil else { return }
        teardownTimer = eventLoop.scheduleTimer(after: configuration.closeTimeout) { [weak self] in
            self?.teardownTimer = nil
            self?.connection.close()
        }
    }

    private func scheduleHeartbeat(after delay: Duration) -> TimerHandle {
        eventLoop.scheduleTimer(after: delay) { [weak self] in
            guard let self else { return }
            self.heartbeatTimer = nil
            self.batchDepth += 1
            self.perform(self.machine.heartbeatTimerFired(now: .now))
            self.batchDepth -= 1
            if self.batchDepth == 0 { self.flush() }
        }
    }
}

extension WebSocketServerConnection: DeferredFlush {
    func flushDeferred() {
        flushScheduled = false
        guard !didClose else { return }
        flush()
    }
}

@available(*, unavailable)
extension WebSocketServerConnection: Sendable {}
