import CollabJSON
import CollabOT
import CollabTransport

/// One WebSocket connection to a document: the join handshake, message dispatch and
/// per-connection limits (ShareDB's agent). Lives on the room's loop.
///
/// The wiring makes one per upgraded connection and feeds it every text frame
/// (`receive(text:)`), binary frame (`receiveBinary()`) and the close of the
/// connection (`connectionClosed()`).
public final class Session {
    enum State {
        /// Waiting for a valid `join`; the timer closes with 4408.
        case awaitingJoin(any RoomTimer)
        /// In the room.
        case joined
        /// Closed or replaced; everything is ignored.
        case closed
    }

    /// Where this connection's frames go.
    public let client: any RoomClient
    /// Who is on this connection.
    public let identity: SessionIdentity
    /// When the connection opened, relative to every other (larger is newer): a `join` only
    /// replaces a session of the same client id that opened before it (`Room.join`).
    let openOrder: UInt64
    let room: Room
    var state: State
    /// Messages that arrived while the room reads what the message before them needs (the
    /// store's answer comes later, on the loop): handled in order after it. Nil when not held.
    private var held: [ClientMessage]?

    // Set at join.
    /// The client id, once joined.
    public internal(set) var clientId = ""
    /// The `sub` (`anon-<clientId>` in open mode), once joined.
    public internal(set) var sub = ""
    var displayName = ""
    var color = ""
    /// This connection's join generation on a database shared by several nodes (nil on one node).
    var joinGeneration: Int?

    // Presence: the selection at the room's durable version.
    var selection: Selection?
    var presenceTimer: (any RoomTimer)?
    var lastPresenceSent: Duration?

    var opBucket: TokenBucket
    var presenceBucket: TokenBucket
    var rateLimitStrikes: EventWindowCounter
    var badMessages: EventWindowCounter

    /// A session for a connection to `room` that opened `openOrder`-th (`ConnectionSlot.openOrder`
    /// in the server); starts the join timer.
    public init(room: Room, client: any RoomClient, identity: SessionIdentity, openOrder: UInt64) {
        self.room = room
        self.client = client
        self.identity = identity
        self.openOrder = openOrder
        let configuration = room.configuration
        opBucket = TokenBucket(rate: configuration.opsPerSecond, capacity: configuration.opBurst)
        presenceBucket = TokenBucket(rate: configuration.presencePerSecond, capacity: configuration.presenceBurst)
        rateLimitStrikes = EventWindowCounter(limit: configuration.rateLimitStrikes,
                                              window: configuration.rateLimitStrikeWindow)
        badMessages = EventWindowCounter(limit: configuration.badMessageLimit,
                                         window: configuration.badMessageWindow)
        state = .closed
        let timer = room.clock.schedule(after: configuration.joinTimeout) { [weak self] in
            self?.joinTimedOut()
        }
        state = .awaitingJoin(timer)
    }

    /// Whether the session is in the room.
    public var isJoined: Bool {
        if case .joined = state { return true }
        return false
    }

    /// Whether the session has been closed (or replaced).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    // MARK: - Inbound

    /// A text frame's payload (valid UTF-8, checked by the transport).
    public func receive(text bytes: UnsafeRawBufferPointer) {
        if case .closed = state { return }
        let message: ClientMessage
        do {
            message = try ClientMessage(decoding: bytes)
        } catch {
            sendError(error)
            return
        }
        handle(message)
    }

    /// A text frame's payload.
    public func receive(text bytes: [UInt8]) {
        bytes.withUnsafeBytes { receive(text: $0) }
    }

    /// A binary frame: always `bad_message`.
    public func receiveBinary() {
        if case .closed = state { return }
        sendError(ClientMessageError(.badMessage, "binary frames are not accepted"))
    }

    /// The connection is gone: leave the room (others get `leave`).
    public func connectionClosed() {
        switch state {
        case .closed:
            return
        case .awaitingJoin(let timer):
            timer.cancel()
            state = .closed
        case .joined:
            state = .closed
            room.remove(self, announce: true)
        }
        held = nil
    }

    func handle(_ message: ClientMessage) {
        if let waiting = held?.count {
            // A read takes a round trip; a client that sends this much meanwhile is not editing.
            guard waiting < Self.maxHeldMessages else {
                close(code: .tryAgainLater, reason: "too many messages while the server reads")
                return
            }
            held?.append(message)
            return
        }
        switch state {
        case .closed:
            return
        case .awaitingJoin:
            switch message {
            case .join(let request):
                room.join(self, request)
            case .op(let submission):
                sendError(ClientMessageError(.notJoined, "send join first", seq: submission.seq))
            case .presence, .ping:
                sendError(ClientMessageError(.notJoined, "send join first"))
            }
        case .joined:
            switch message {
            case .join:
                sendError(ClientMessageError(.badMessage, "already joined"))
            case .op(let submission):
                room.submit(submission, from: self)
            case .presence(let update):
                room.updatePresence(update, from: self)
            case .ping(let id):
                send(ServerMessage.pong(id: id).frame)
            }
        }
    }

    /// Messages held at most while the room reads; one more closes the connection with 1013.
    static let maxHeldMessages = 1_000

    /// Holds what the client sends from now on: the room is reading what the message being
    /// handled needs.
    func hold() {
        if held == nil { held = [] }
    }

    /// The read is in: runs `resumed` (the held message's handling, again or continued), then
    /// the messages held meanwhile, in order (holding the rest again if one of them reads).
    func resume(_ resumed: () -> Void) {
        guard let pending = held else { return }
        held = nil
        guard !isClosed else { return }
        resumed()
        for (index, message) in pending.enumerated() {
            guard held == nil else {
                held?.append(contentsOf: pending[index...])
                return
            }
            handle(message)
        }
    }

    private func joinTimedOut() {
        switch state {
        case .awaitingJoin: break
        case .joined, .closed: return
        }
        close(code: .joinTimeout, reason: "no join in time")
    }

    // MARK: - Outbound

    func send(_ frame: SharedBytes) {
        if case .closed = state { return }
        client.send(frame)
    }

    func send(_ message: ServerMessage) {
        send(message.frame)
    }

    /// Sends `error`; too many `bad_message`/`bad_op` in the window closes with 1008.
    func sendError(_ error: ClientMessageError) {
        if case .closed = state { return }
        send(.error(error.code, message: error.message, seq: error.seq))
        client.sentError(error.code)
        if error.code == .badMessage || error.code == .badOp {
            if badMessages.record(at: room.clock.now) {
                close(code: .policyViolation, reason: "too many bad messages")
            }
        }
    }

    /// Records a `rate_limited` answer; repeated ones close with 4429.
    func recordRateLimitStrike() {
        if rateLimitStrikes.record(at: room.clock.now) {
            close(code: .rateLimited, reason: "rate limit exceeded repeatedly")
        }
    }

    /// Closes the connection with `code`, leaving the room (with `leave` for the others).
    func close(code: WebSocketCloseCode, reason: String) {
        close(code: code, reason: reason, announce: true)
    }

    /// Closes without `leave` (replacement by a newer connection with the same client id).
    func closeReplaced() {
        close(code: .replaced, reason: "replaced by a newer connection", announce: false)
    }

    func close(code: WebSocketCloseCode, reason: String, announce: Bool) {
        switch state {
        case .closed:
            return
        case .awaitingJoin(let timer):
            timer.cancel()
            state = .closed
        case .joined:
            state = .closed
            room.remove(self, announce: announce)
        }
        held = nil
        client.close(code: code, reason: reason)
    }

    /// Marks the session joined (the join timer stops).
    func markJoined() {
        if case .awaitingJoin(let timer) = state { timer.cancel() }
        state = .joined
    }
}

@available(*, unavailable)
extension Session: Sendable {}
