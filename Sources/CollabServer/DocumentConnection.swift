import CollabJSON
import CollabTransport
import Foundation

/// One upgraded WebSocket on a document: feeds its messages to a `Session` and is the
/// session's `RoomClient`. Lives on the room's loop.
final class DocumentConnection: WebSocketServerDelegate, RoomClient {
    let webSocket: WebSocketServerConnection
    let rooms: LoopRooms
    private(set) var entry: RoomEntry?
    private(set) var session: Session?
    /// The room is being loaded off the loop: messages wait here, in order.
    private var pendingTexts: [String]?
    /// The WebSocket opened while the room was loading.
    private var openedBeforeRoom = false
    /// Unix time (seconds) at which the token stops being valid; closes with 4401.
    private let deadline: Int?
    private var expiryTimer: TimerHandle?
    private let documentId: String
    private let identity: SessionIdentity
    /// This connection's place under the connection caps; given back at close.
    private let slot: ConnectionSlot?
    private let openedAt = ContinuousClock.now
    /// Behind a trusted proxy, the client's address it forwarded (logged instead of the proxy's).
    private let forwardedFor: String?
    /// The close code this side chose, if it closed first (the peer's echo may differ).
    private var closeCodeSent: WebSocketCloseCode?

    /// A connection to `documentId`'s room on `rooms`' loop (the room loads if needed; if it
    /// cannot, the connection is closed with 1011 when it opens). `openOrder` was taken when
    /// the upgrade was accepted (`ConnectionSlot.openOrder`).
    init(webSocket: WebSocketServerConnection, documentId: String, identity: SessionIdentity,
         deadline: Int?, rooms: LoopRooms, slot: ConnectionSlot? = nil, openOrder: UInt64,
         forwardedFor: String? = nil) {
        self.forwardedFor = forwardedFor
        self.webSocket = webSocket
        self.rooms = rooms
        self.deadline = deadline
        self.documentId = documentId
        self.identity = identity
        self.slot = slot
        rooms.attach(self, to: nil)
        // A room to load on PostgreSQL is a few round trips away: what the client sends is held
        // until it is in, then handled as if it had been there (a loaded room, or SQLite's,
        // comes back before `loadRoom` returns).
        pendingTexts = []
        rooms.loadRoom(documentId) { [weak self] entry in
            self?.roomLoaded(entry, openOrder: openOrder)
        }
    }

    private func adopt(_ entry: RoomEntry?, openOrder: UInt64) {
        self.entry = entry
        guard let entry else { return }
        session = Session(room: entry.room, client: self, identity: identity, openOrder: openOrder)
        rooms.attachRoom(self, to: entry)
    }

    private func roomLoaded(_ entry: RoomEntry?, openOrder: UInt64) {
        guard let texts = pendingTexts else { return }
        pendingTexts = nil
        guard closeCodeSent == nil, webSocket.isOpen || !openedBeforeRoom else { return }
        adopt(entry, openOrder: openOrder)
        if openedBeforeRoom { webSocketDidOpen(webSocket) }
        for text in texts { webSocket(webSocket, didReceiveText: text) }
    }

    // MARK: - RoomClient

    func send(_ frame: SharedBytes) {
        rooms.metrics.messagesOut.add(1, ordering: .relaxed)
        rooms.metrics.bytesOut.add(frame.count, ordering: .relaxed)
        webSocket.send(frame: frame)
    }

    func close(code: WebSocketCloseCode, reason: String) {
        closeWebSocket(code: code, reason: reason)
    }

    func sentError(_ code: ErrorCode) {
        rooms.metrics.errors.increment(code.rawValue)
        if rooms.configuration.logLevel <= .debug {
            rooms.configuration.logEvent(ServerLogEvent(.debug, "client_error", "error sent to a client",
                                                        fields: logFields + [("code", .string(code.rawValue))]))
        }
    }

    private func closeWebSocket(code: WebSocketCloseCode, reason: String) {
        if closeCodeSent == nil && webSocket.isOpen { closeCodeSent = code }
        webSocket.close(code: code, reason: reason)
    }

    /// Who and where, for log lines (never the token).
    private var logFields: [(key: String, value: JSONValue)] {
        [("doc", .string(documentId)),
         ("user", identity.sub.map(JSONValue.string) ?? .null),
         ("remote", (forwardedFor ?? webSocket.remoteAddress?.description).map { .string($0) } ?? .null)]
    }

    var queuedBytes: Int { webSocket.queuedBytes }

    // MARK: - WebSocketServerDelegate

    func webSocketDidOpen(_ webSocket: WebSocketServerConnection) {
        if pendingTexts != nil {
            openedBeforeRoom = true
            return
        }
        rooms.configuration.logEvent(ServerLogEvent(.info, "connect", "WebSocket opened",
                                                    fields: logFields + [("role", .string(identity.role.rawValue))]))
        guard session != nil else {
            if rooms.isDeleting(documentId) {
                closeWebSocket(code: .documentDeleted, reason: "document deleted")
            } else {
                closeWebSocket(code: .internalError, reason: "document unavailable")
            }
            return
        }
        if let deadline {
            let nowMilliseconds = Int((Date().timeIntervalSince1970 * 1000).rounded(.down))
            let delay = max(0, deadline.multipliedReportingOverflow(by: 1000).partialValue - nowMilliseconds)
            expiryTimer = webSocket.eventLoop.scheduleTimer(after: .milliseconds(delay)) { [weak self] in
                self?.tokenExpired()
            }
        }
    }

    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveText text: String) {
        if pendingTexts != nil {
            pendingTexts?.append(text)
            return
        }
        guard let session, !rooms.isDraining else { return }
        rooms.metrics.messagesIn.add(1, ordering: .relaxed)
        rooms.metrics.bytesIn.add(text.utf8.count, ordering: .relaxed)
        let wasJoined = session.isJoined
        var text = text
        text.withUTF8 { session.receive(text: UnsafeRawBufferPointer($0)) }
        if !wasJoined && session.isJoined { rooms.metrics.joins.add(1, ordering: .relaxed) }
    }

    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveBinary bytes: [UInt8]) {
        guard let session, !rooms.isDraining else { return }
        rooms.metrics.messagesIn.add(1, ordering: .relaxed)
        session.receiveBinary()
    }

    func webSocketSendQueueOverflowed(_ webSocket: WebSocketServerConnection) {
        if let session {
            session.close(code: .tryAgainLater, reason: "send queue overflowed")
        } else {
            closeWebSocket(code: .tryAgainLater, reason: "send queue overflowed")
        }
    }

    func webSocketDidClose(_ webSocket: WebSocketServerConnection, code: WebSocketCloseCode, reason: String) {
        pendingTexts = nil
        expiryTimer?.cancel()
        expiryTimer = nil
        session?.connectionClosed()
        rooms.detach(self, from: entry)
        slot?.release()
        let closeCode = closeCodeSent ?? code
        rooms.metrics.closes.increment(String(closeCode.rawValue))
        let elapsed = (ContinuousClock.now - openedAt).components
        let milliseconds = Int(elapsed.seconds) * 1000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
        var fields = logFields
        fields += [("code", .integer(Int(closeCode.rawValue))), ("duration_ms", .integer(milliseconds))]
        if let clientId = session?.clientId, !clientId.isEmpty { fields.append(("client", .string(clientId))) }
        rooms.configuration.logEvent(ServerLogEvent(.info, "disconnect", "WebSocket closed", fields: fields))
    }

    // MARK: -

    private func tokenExpired() {
        expiryTimer = nil
        if let session {
            session.close(code: .tokenExpired, reason: "token expired")
        } else {
            closeWebSocket(code: .tokenExpired, reason: "token expired")
        }
    }

    /// Server shutdown: close with 1001, no `leave` for the others (they are closing too).
    func closeForShutdown() {
        if let session {
            session.close(code: .goingAway, reason: "server shutting down", announce: false)
        } else {
            closeWebSocket(code: .goingAway, reason: "server shutting down")
        }
    }
}

@available(*, unavailable)
extension DocumentConnection: Sendable {}
