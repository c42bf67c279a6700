import CollabTransport
import Foundation

/// One upgraded WebSocket on a document: feeds its messages to a `Session` and is the
/// session's `RoomClient`. Lives on the room's loop.
final class DocumentConnection: WebSocketServerDelegate, RoomClient {
    let webSocket: WebSocketServerConnection
    let rooms: LoopRooms
    let entry: RoomEntry?
    private(set) var session: Session?
    /// Unix time (seconds) at which the token stops being valid; closes with 4401.
    private let deadline: Int?
    private var expiryTimer: TimerHandle?

    /// A connection to `documentId`'s room on `rooms`' loop (the room loads if needed; if it
    /// cannot, the connection is closed with 1011 when it opens).
    init(webSocket: WebSocketServerConnection, documentId: String, identity: SessionIdentity,
         deadline: Int?, rooms: LoopRooms) {
        self.webSocket = webSocket
        self.rooms = rooms
        self.deadline = deadline
        entry = rooms.room(for: documentId)
        if let entry {
            session = Session(room: entry.room, client: self, identity: identity)
        }
        rooms.attach(self, to: entry)
    }

    // MARK: - RoomClient

    func send(_ frame: SharedBytes) {
        webSocket.send(frame: frame)
    }

    func close(code: WebSocketCloseCode, reason: String) {
        webSocket.close(code: code, reason: reason)
    }

    var queuedBytes: Int { webSocket.queuedBytes }

    // MARK: - WebSocketServerDelegate

    func webSocketDidOpen(_ webSocket: WebSocketServerConnection) {
        guard session != nil else {
            webSocket.close(code: .internalError, reason: "document unavailable")
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
            webSocket.close(code: .tryAgainLater, reason: "send queue overflowed")
        }
    }

    func webSocketDidClose(_ webSocket: WebSocketServerConnection, code: WebSocketCloseCode, reason: String) {
        expiryTimer?.cancel()
        expiryTimer = nil
        session?.connectionClosed()
        rooms.detach(self, from: entry)
    }

    // MARK: -

    private func tokenExpired() {
        expiryTimer = nil
        if let session {
            session.close(code: .tokenExpired, reason: "token expired")
        } else {
            webSocket.close(code: .tokenExpired, reason: "token expired")
        }
    }

    /// Server shutdown: close with 1001, no `leave` for the others (they are closing too).
    func closeForShutdown() {
        if let session {
            session.close(code: .goingAway, reason: "server shutting down", announce: false)
        } else {
            webSocket.close(code: .goingAway, reason: "server shutting down")
        }
    }
}

@available(*, unavailable)
extension DocumentConnection: Sendable {}
