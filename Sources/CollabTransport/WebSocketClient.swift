#if canImport(Glibc)
import Glibc
#endif

/// The client end of one WebSocket connection, confined to one event loop: connects (TCP,
/// optional TLS), sends the upgrade request, checks the 101, then runs the client-role state
/// machine (masking, pongs, close handshake, optional heartbeat). Events go to its delegate.
///
/// Create it with `connect(to:configuration:on:delegate:)` on the loop; use it only there.
/// The client keeps its delegate until the last callback (`didFailToOpen` or `didClose`).
/// For an `async` interface from any task, see `connect(url:configuration:on:)`.
public final class WebSocketClient {
    private enum State {
        /// Resolving and connecting TCP.
        case connecting
        /// TCP (and TLS) up; waiting for the response head.
        case awaitingResponse(Connection, HTTPResponseParser)
        /// The server refused the upgrade; collecting its body before reporting.
        case readingRejection(Connection, status: Int, headers: HTTPHeaders, body: [UInt8], expected: Int?)
        /// Handshake done; frames flow through `machine`.
        case open(Connection)
        /// Finished (or failed); nothing more happens.
        case closed
    }

    /// Largest rejection body kept for `WebSocketClientError.handshakeRejected`.
    static let maxRejectionBody = 64 * 1024

    /// The loop that owns this client.
    public let eventLoop: EventLoop
    /// Where it connects.
    public let url: WebSocketClientURL
    /// Its settings.
    public let configuration: WebSocketClientConfiguration
    /// The subprotocol the server selected (after open).
    public private(set) var subprotocol: String?

    private var state = State.connecting
    private var delegate: (any WebSocketClientDelegate)?
    private var handshake: WebSocketClientHandshake?
    private var tlsStage: WebSocketClientTLSStage?
    private var machine: WebSocketConnectionStateMachine?
    private var maskingKeys = WebSocketClientMaskingKeys()
    private var handshakeTimer: TimerHandle?
    private var closeTimer: TimerHandle?
    private var heartbeatTimer: TimerHandle?
    private var receivedClose: (code: WebSocketCloseCode, reason: String)?
    /// True while a read is being processed: frames are queued, and flushed once at the end.
    private var batchingWrites = false

    private init(url: WebSocketClientURL, configuration: WebSocketClientConfiguration, eventLoop: EventLoop,
                 delegate: any WebSocketClientDelegate) {
        self.url = url
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.delegate = delegate
    }

    // MARK: - Opening

    /// Starts connecting to `url`; must be called on `eventLoop`. Failures (including an invalid
    /// URL) are reported to `delegate` asynchronously, after this returns.
    @discardableResult
    public static func connect(url: String, configuration: WebSocketClientConfiguration = .init(),
                               on eventLoop: EventLoop, delegate: any WebSocketClientDelegate) -> WebSocketClient {
        guard let parsed = WebSocketClientURL(url) else {
            let client = WebSocketClient(url: .fallback, configuration: configuration, eventLoop: eventLoop,
                                         delegate: delegate)
            client.failSoon(.invalidURL(url))
            return client
        }
        return connect(to: parsed, configuration: configuration, on: eventLoop, delegate: delegate)
    }

    /// Starts connecting to `url`; must be called on `eventLoop`. See `connect(url:...)`.
    @discardableResult
    public static func connect(to url: WebSocketClientURL, configuration: WebSocketClientConfiguration = .init(),
                               on eventLoop: EventLoop, delegate: any WebSocketClientDelegate) -> WebSocketClient {
        eventLoop.preconditionInEventLoop()
        let client = WebSocketClient(url: url, configuration: configuration, eventLoop: eventLoop, delegate: delegate)
        client.start()
        return client
    }

    private func start() {
        do throws(WebSocketClientHandshakeError) {
            handshake = try WebSocketClientHandshake(host: url.hostHeader, target: url.target,
                                                     subprotocols: configuration.subprotocols,
                                                     extraHeaders: configuration.extraHeaders)
        } catch {
            failSoon(.invalidURL("\(url) (\(error))"))
            return
        }
        if url.isSecure {
            do throws(TLSError) {
                let context: TLSContext
                if let shared = configuration.tlsContext {
                    context = shared
                } else {
                    context = try TLSContext(configuration: .client(verification: configuration.tlsVerification))
                }
                tlsStage = WebSocketClientTLSStage(session: try TLSSession(context: context, serverName: url.host))
            } catch {
                failSoon(.tls(error))
                return
            }
        }
        ClientConnector.connect(host: url.host, port: url.port, on: eventLoop,
                                timeout: configuration.connectTimeout) { [self] result in
            connected(result)
        }
    }

    private func connected(_ result: Result<CInt, IOError>) {
        let descriptor: CInt
        switch result {
        case .failure(let error):
            fail(.connectionFailed(error))
            return
        case .success(let fd):
            descriptor = fd
        }
        guard case .connecting = state else {
            Syscall.close(descriptor)  // closed while connecting
            return
        }
        let adopted = Connection.adopt(descriptor: descriptor, on: eventLoop, configuration: configuration.connection,
                                       transform: tlsStage) { _ in self }
        if adopted == nil { fail(.connectionFailed(IOError(errnoCode: EBADF, reason: "register connection"))) }
    }

    /// Called when the connection attaches: send the upgrade request, arm the handshake timer.
    func beginHandshake(on connection: Connection) {
        guard case .connecting = state, let handshake else { return }
        state = .awaitingResponse(connection, HTTPResponseParser())
        handshakeTimer = eventLoop.scheduleTimer(after: configuration.handshakeTimeout) { [weak self] in
            self?.handshakeTimer = nil
            self?.fail(.handshakeTimedOut)
        }
        connection.write(handshake.serializedRequest())
    }

    /// Response bytes before the handshake completed.
    func responseBytesReceived(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .awaitingResponse(let connection, var parser):
            parser.append(bytes)
            let head: HTTPResponseParser.Head?
            do throws(HTTPResponseParser.ParseError) {
                head = try parser.parse()
            } catch {
                fail(.malformedResponse(error))
                return
            }
            guard let head else {
                state = .awaitingResponse(connection, parser)
                return
            }
            if head.status == 101 {
                upgraded(connection, head: head, leftover: parser.remainingBytes)
            } else {
                let expected = head.headers.first("Content-Length").flatMap { Int($0.trimmingSpaces) }
                state = .readingRejection(connection, status: head.status, headers: head.headers, body: [],
                                          expected: expected)
                parser.remainingBytes.withUnsafeBytes { rejectionBytesReceived($0) }
            }
        case .readingRejection:
            rejectionBytesReceived(bytes)
        case .connecting, .open, .closed:
            break
        }
    }

    private func rejectionBytesReceived(_ bytes: UnsafeRawBufferPointer) {
        guard case .readingRejection(let connection, let status, let headers, var body, let expected) = state else { return }
        state = .closed  // drop the copy held by the enum while appending
        let limit = min(expected ?? Self.maxRejectionBody, Self.maxRejectionBody)
        body.append(contentsOf: bytes.prefix(max(0, limit - body.count)))
        state = .readingRejection(connection, status: status, headers: headers, body: body, expected: expected)
        if body.count >= limit { rejectionFinished() }
    }

    private func rejectionFinished() {
        guard case .readingRejection(_, let status, let headers, let body, _) = state else { return }
        fail(.handshakeRejected(status: status, headers: headers, body: body))
    }

    private func upgraded(_ connection: Connection, head: HTTPResponseParser.Head, leftover: [UInt8]) {
        guard let handshake else { return }
        do throws(WebSocketClientHandshakeError) {
            subprotocol = try handshake.validate(head)
        } catch {
            fail(.invalidHandshake(error))
            return
        }
        handshakeTimer?.cancel()
        handshakeTimer = nil
        self.handshake = nil
        state = .open(connection)
        machine = WebSocketConnectionStateMachine(role: .client, configuration: configuration.webSocket,
                                                  now: .now)
        if configuration.sendsPings { scheduleHeartbeat(after: configuration.webSocket.pingInterval) }
        delegate?.webSocketClientDidOpen(self, subprotocol: subprotocol)
        if !leftover.isEmpty { leftover.withUnsafeBytes { frameBytesReceived($0) } }
    }

    /// Reports a failure to open (once) on a later loop turn, so `connect` returns first.
    private func failSoon(_ error: WebSocketClientError) {
        state = .closed
        eventLoop.scheduleTimer(after: .zero) { [self] in
            state = .connecting
            fail(error)
        }
    }

    /// Ends an opening that went wrong: report, then release the connection and the delegate.
    private func fail(_ error: WebSocketClientError) {
        let connection: Connection?
        switch state {
        case .connecting: connection = nil
        case .awaitingResponse(let c, _), .readingRejection(let c, _, _, _, _): connection = c
        case .open, .closed: return
        }
        state = .closed
        handshakeTimer?.cancel()
        handshakeTimer = nil
        let delegate = self.delegate
        self.delegate = nil
        connection?.close()
        delegate?.webSocketClient(self, didFailToOpen: error)
    }

    // MARK: - Inbound

    /// Frame bytes after the handshake.
    func frameBytesReceived(_ bytes: UnsafeRawBufferPointer) {
        guard machine != nil else { return }
        let actions = machine!.bytesReceived(bytes, now: .now)
        perform(actions)
    }

    /// Runs `body` with writes batched into one flush at the end (one read → one sendmsg).
    func batchingWrites(on connection: Connection, _ body: () -> Void) {
        let outer = batchingWrites
        batchingWrites = true
        body()
        batchingWrites = outer
        if !outer && connection.isOpen { connection.flush() }
    }

    /// The server half-closed TCP.
    func inputClosed(_ connection: Connection) {
        switch state {
        case .open:
            if machine != nil { perform(machine!.inputClosed()) }
            connection.close(afterFlush: true)
        case .readingRejection:
            rejectionFinished()
        case .awaitingResponse:
            fail(.closed)
        case .connecting, .closed:
            connection.close()
        }
    }

    /// The connection is gone: report once.
    func connectionEnded(error: IOError?) {
        switch state {
        case .connecting, .awaitingResponse:
            if let failure = tlsStage?.failure {
                fail(.tls(failure))
            } else {
                fail(error.map { .connectionFailed($0) } ?? .closed)
            }
        case .readingRejection:
            rejectionFinished()
        case .open:
            state = .closed
            closeTimer?.cancel()
            closeTimer = nil
            heartbeatTimer?.cancel()
            heartbeatTimer = nil
            let delegate = self.delegate
            self.delegate = nil
            let close = receivedClose ?? (.abnormalClosure, "")
            delegate?.webSocketClientDidClose(self, code: close.code, reason: close.reason)
        case .closed:
            break
        }
    }

    // MARK: - Outbound

    /// Whether the handshake completed (frames flow, possibly in the close handshake).
    var isOpenOrClosing: Bool {
        guard case .open = state else { return false }
        return true
    }

    /// Whether messages can be sent (open, no close sent or received yet).
    public var isOpen: Bool {
        guard case .open = state else { return false }
        return machine?.isOpen ?? false
    }

    /// Bytes queued on the socket but not yet taken by the kernel (for back-pressure).
    public var bufferedAmount: Int {
        guard case .open(let connection) = state else { return 0 }
        return connection.queuedBytes
    }

    /// Sends a text message; dropped unless `isOpen`.
    public func send(text: String) {
        var text = text
        text.withUTF8 { sendMessage(.text, UnsafeRawBufferPointer($0)) }
    }

    /// Sends a binary message; dropped unless `isOpen`.
    public func send(binary: [UInt8]) {
        binary.withUnsafeBytes { sendMessage(.binary, $0) }
    }

    /// Sends a binary message from raw bytes (copied and masked); dropped unless `isOpen`.
    public func send(binary bytes: UnsafeRawBufferPointer) {
        sendMessage(.binary, bytes)
    }

    /// Sends `message`; dropped unless `isOpen`.
    public func send(_ message: WebSocketMessage) {
        switch message {
        case .text(let text): send(text: text)
        case .binary(let bytes): send(binary: bytes)
        }
    }

    /// Starts the close handshake with `code`; before the handshake completed, abandons the
    /// attempt (reported as `didFailToOpen(.closed)`).
    public func close(code: WebSocketCloseCode = .normalClosure, reason: String = "") {
        eventLoop.preconditionInEventLoop()
        switch state {
        case .open:
            if machine != nil { perform(machine!.close(code: code, reason: reason)) }
        case .connecting, .awaitingResponse, .readingRejection:
            fail(.closed)
        case .closed:
            break
        }
    }

    private func sendMessage(_ opcode: WebSocketOpcode, _ payload: UnsafeRawBufferPointer) {
        eventLoop.preconditionInEventLoop()
        // The state machine's `send` only checks that it is open; skipping its action array
        // keeps the per-message cost to one allocation.
        guard case .open(let connection) = state, machine?.isOpen == true else { return }
        writeFrame(opcode, payload, on: connection)
    }

    /// Encodes a masked frame straight into one buffer and queues it.
    private func writeFrame(_ opcode: WebSocketOpcode, _ payload: UnsafeRawBufferPointer, on connection: Connection) {
        let count = payload.count
        let lengthBytes = count < 126 ? 0 : (count <= 0xFFFF ? 2 : 8)
        let headerLength = 2 + lengthBytes + 4
        let key = maskingKeys.take()
        let frame = SharedBytes(count: headerLength + count) { buffer in
            buffer[0] = 0x80 | opcode.rawValue
            switch lengthBytes {
            case 0:
                buffer[1] = 0x80 | UInt8(count)
            case 2:
                buffer[1] = 0x80 | 126
                buffer[2] = UInt8(truncatingIfNeeded: count >> 8)
                buffer[3] = UInt8(truncatingIfNeeded: count)
            default:
                buffer[1] = 0x80 | 127
                for i in 0..<8 { buffer[2 + i] = UInt8(truncatingIfNeeded: UInt64(count) >> UInt64(56 - 8 * i)) }
            }
            let keyOffset = 2 + lengthBytes
            for i in 0..<4 { buffer[keyOffset + i] = key.byte(i) }
            let body = UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength...])
            if count > 0, let source = payload.baseAddress { body.baseAddress?.copyMemory(from: source, byteCount: count) }
            key.apply(to: body)
        }
        connection.enqueue(frame)
        if !batchingWrites { connection.flush() }
    }

    // MARK: - State machine actions

    private func perform(_ actions: [WebSocketConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .deliverText(let text):
                delegate?.webSocketClient(self, didReceiveText: text)
            case .deliverBinary(let bytes):
                delegate?.webSocketClient(self, didReceiveBinary: bytes)
            case .deliverClose(let code, let reason):
                receivedClose = (code, reason)
            case .sendMessage(let message):
                guard case .open(let connection) = state else { continue }
                switch message {
                case .text(var text): text.withUTF8 { writeFrame(.text, UnsafeRawBufferPointer($0), on: connection) }
                case .binary(let bytes): bytes.withUnsafeBytes { writeFrame(.binary, $0, on: connection) }
                }
            case .sendPing(let payload):
                writeControl(.ping, payload)
            case .sendPong(let payload):
                writeControl(.pong, payload)
            case .sendClose(let code, let reason):
                writeControl(.close, code.map { WebSocketClosePayload(code: $0, reason: reason).encoded() } ?? [])
            case .startCloseTimer(let delay):
                closeTimer?.cancel()
                closeTimer = eventLoop.scheduleTimer(after: delay) { [weak self] in
                    guard let self, self.machine != nil else { return }
                    self.closeTimer = nil
                    self.perform(self.machine!.closeTimerFired())
                }
            case .scheduleHeartbeat(let delay):
                if configuration.sendsPings { scheduleHeartbeat(after: delay) }
            case .closeTCP:
                heartbeatTimer?.cancel()
                heartbeatTimer = nil
                if case .open(let connection) = state { connection.close(afterFlush: true) }
            }
        }
    }

    private func writeControl(_ opcode: WebSocketOpcode, _ payload: [UInt8]) {
        guard case .open(let connection) = state else { return }
        payload.withUnsafeBytes { writeFrame(opcode, $0, on: connection) }
    }

    private func scheduleHeartbeat(after delay: Duration) {
        heartbeatTimer?.cancel()
        heartbeatTimer = eventLoop.scheduleTimer(after: delay) { [weak self] in
            guard let self, self.machine != nil else { return }
            self.heartbeatTimer = nil
            self.perform(self.machine!.heartbeatTimerFired(now: .now))
        }
    }
}

extension WebSocketClientURL {
    /// Stands in for the URL of a client whose URL did not parse (never connected to).
    static let fallback = WebSocketClientURL(unchecked: ())

    private init(unchecked: Void) {
        isSecure = false
        host = "invalid"
        port = 80
        target = "/"
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        WebSocketHandshake.trimmed(self)
    }
}

@available(*, unavailable)
extension WebSocketClient: Sendable {}
