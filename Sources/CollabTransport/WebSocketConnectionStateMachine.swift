/// The protocol decisions of one WebSocket connection, without I/O: each event returns the
/// actions the connection layer must perform, in order.
///
/// States: `open` → `closing` (we sent a close and wait for the peer's, under the close
/// timeout) → `closed`. Receiving a close in `open` answers with a close echoing its code and,
/// as a server, closes TCP at once (the server closes TCP first, RFC 6455 §7.1.1). Any protocol
/// violation sends a close with the matching code (1002 / 1007 / 1009) and closes TCP. Liveness
/// (collab.v1 §2.4): a ping every `pingInterval`; a peer that sent nothing at all, pongs
/// included, for two intervals is closed with 1001.
public struct WebSocketConnectionStateMachine {
    /// What the connection layer must do next.
    public enum Action: Sendable, Hashable {
        /// Hand a complete text message to the application.
        case deliverText(String)
        /// Hand a complete binary message to the application.
        case deliverBinary([UInt8])
        /// The peer sent a close frame with this code (1005 if it had none) and reason.
        case deliverClose(WebSocketCloseCode, reason: String)
        /// Send an application message the application asked to send.
        case sendMessage(WebSocketMessage)
        /// Send a ping with this payload.
        case sendPing([UInt8])
        /// Send a pong echoing this payload.
        case sendPong([UInt8])
        /// Send a close frame; nil code means an empty payload. Nothing may be sent after it.
        case sendClose(WebSocketCloseCode?, reason: String)
        /// Arm the close timer; call `closeTimerFired()` when it expires.
        case startCloseTimer(Duration)
        /// Arm the heartbeat timer (replacing any armed one); call `heartbeatTimerFired(now:)` then.
        case scheduleHeartbeat(Duration)
        /// Close the TCP connection (after flushing what was queued). Final.
        case closeTCP
    }

    private enum State {
        case open
        /// We sent a close frame and wait for the peer's.
        case closing
        /// The close handshake finished or the connection failed; only TCP teardown remains.
        case closed
    }

    /// The configuration this machine was created with.
    public let configuration: WebSocketConfiguration
    /// Which end of the connection this is.
    public let role: WebSocketRole

    private var state: State = .open
    private var decoder: WebSocketFrameDecoder
    private var assembler = WebSocketMessageAssembler()
    private var lastReceived: ContinuousClock.Instant
    private var lastPingSent: ContinuousClock.Instant

    /// Creates the machine for a connection whose handshake completed at `now`.
    ///
    /// The caller arms the first heartbeat timer for `configuration.pingInterval`.
    public init(role: WebSocketRole, configuration: WebSocketConfiguration = WebSocketConfiguration(),
                now: ContinuousClock.Instant) {
        self.role = role
        self.configuration = configuration
        self.decoder = WebSocketFrameDecoder(role: role, maxMessageSize: configuration.maxMessageSize)
        self.lastReceived = now
        self.lastPingSent = now
    }

    /// Whether the application may still send messages (no close sent or received yet).
    public var isOpen: Bool {
        switch state {
        case .open: true
        case .closing, .closed: false
        }
    }

    /// Whether the connection is finished apart from TCP teardown.
    public var isClosed: Bool {
        switch state {
        case .closed: true
        case .open, .closing: false
        }
    }

    // MARK: - Inbound

    /// Bytes arrived from the peer (any split). Any bytes at all count as liveness.
    public mutating func bytesReceived(_ bytes: UnsafeRawBufferPointer, now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case .closed:
            return []
        case .open, .closing:
            lastReceived = now
            decoder.append(bytes)
            return drainFrames()
        }
    }

    /// Bytes arrived from the peer (any split). Any bytes at all count as liveness.
    public mutating func bytesReceived(_ bytes: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        bytes.withUnsafeBytes { bytesReceived($0, now: now) }
    }

    /// The peer closed its side of TCP (EOF or reset).
    public mutating func inputClosed() -> [Action] {
        switch state {
        case .closed:
            return []
        case .open, .closing:
            state = .closed
            return [.closeTCP]
        }
    }

    private mutating func drainFrames() -> [Action] {
        var actions: [Action] = []
        while true {
            let frame: WebSocketFrame?
            do {
                frame = try decoder.next()
            } catch {
                fail(error, into: &actions)
                return actions
            }
            guard let frame else { return actions }
            switch frame.opcode {
            case .ping:
                if case .open = state { actions.append(.sendPong(frame.payload)) }
            case .pong:
                break  // liveness is already counted from the bytes
            case .close:
                closeReceived(frame.payload, into: &actions)
                return actions  // nothing after a close frame is read
            default:
                let message: WebSocketMessage?
                do {
                    message = try assembler.append(frame)
                } catch {
                    fail(error, into: &actions)
                    return actions
                }
                switch message {
                case .text(let text)?: actions.append(.deliverText(text))
                case .binary(let bytes)?: actions.append(.deliverBinary(bytes))
                case nil: break
                }
            }
        }
    }

    private mutating func closeReceived(_ payload: [UInt8], into actions: inout [Action]) {
        let close: WebSocketClosePayload
        do {
            close = try WebSocketClosePayload.parse(payload)
        } catch {
            fail(error, into: &actions)
            return
        }
        actions.append(.deliverClose(close.code, reason: close.reason))
        switch state {
        case .open:
            // Echo the peer's code; an empty close (1005 locally) is answered with 1000.
            let echo = close.code == .noStatusReceived ? WebSocketCloseCode.normalClosure : close.code
            actions.append(.sendClose(echo, reason: ""))
            state = .closed
            switch role {
            case .server: actions.append(.closeTCP)
            case .client: actions.append(.startCloseTimer(configuration.closeTimeout))  // the server closes TCP first
            }
        case .closing:
            state = .closed
            switch role {
            case .server: actions.append(.closeTCP)
            case .client: break  // the close timer from our close is still armed
            }
        case .closed:
            break
        }
    }

    private mutating func fail(_ error: WebSocketProtocolError, into actions: inout [Action]) {
        switch state {
        case .open:
            actions.append(.sendClose(error.closeCode, reason: ""))
        case .closing, .closed:
            break  // our close is already out
        }
        state = .closed
        actions.append(.closeTCP)
    }

    // MARK: - Outbound

    /// The application wants to send a message; dropped once a close was sent or received.
    public mutating func send(_ message: WebSocketMessage) -> [Action] {
        switch state {
        case .open: [.sendMessage(message)]
        case .closing, .closed: []
        }
    }

    /// The application closes the connection with `code` (e.g. 1000, 1001 at shutdown, 4409).
    public mutating func close(code: WebSocketCloseCode, reason: String = "") -> [Action] {
        switch state {
        case .open:
            state = .closing
            return [.sendClose(code, reason: reason), .startCloseTimer(configuration.closeTimeout)]
        case .closing, .closed:
            return []
        }
    }

    /// The close timer expired: stop waiting for the peer.
    public mutating func closeTimerFired() -> [Action] {
        switch state {
        case .open:
            return []  // a stale timer
        case .closing, .closed:
            state = .closed
            return [.closeTCP]
        }
    }

    /// The heartbeat timer expired at `now`: ping, or close a peer silent for two intervals.
    public mutating func heartbeatTimerFired(now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case .closing, .closed:
            return []
        case .open:
            let interval = configuration.pingInterval
            let silenceDeadline = lastReceived + interval * 2
            if now >= silenceDeadline {
                state = .closed
                return [.sendClose(.goingAway, reason: ""), .closeTCP]
            }
            var actions: [Action] = []
            if now >= lastPingSent + interval {
                lastPingSent = now
                actions.append(.sendPing([]))
            }
            let next = min(lastPingSent + interval, silenceDeadline)
            actions.append(.scheduleHeartbeat(next - now))
            return actions
        }
    }
}

@available(*, unavailable)
extension WebSocketConnectionStateMachine: Sendable {}
