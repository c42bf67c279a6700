import CollabTransport

/// One connection as the room sees it: where its frames go.
///
/// Called only on the room's loop. `close` must not call back into the session
/// synchronously (the session has already left the room when it calls `close`).
public protocol RoomClient: AnyObject {
    /// Queues a complete WebSocket text frame; the same frame may be queued to many clients.
    func send(_ frame: SharedBytes)
    /// Sends a close frame with `code` and `reason`, then closes.
    func close(code: WebSocketCloseCode, reason: String)
    /// Bytes queued and not yet written, for slow-consumer detection.
    var queuedBytes: Int { get }
}
