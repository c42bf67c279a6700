import CollabTransport

/// One connection as the room sees it: where its frames go.
///
/// Called only on the room's loop. The session leaves the room before it calls
/// `close`, so a `connectionClosed()` that `close` triggers (even synchronously) is a no-op.
public protocol RoomClient: AnyObject {
    /// Queues a complete WebSocket text frame; the same frame may be queued to many clients.
    func send(_ frame: SharedBytes)
    /// Sends a close frame with `code` and `reason`, then closes.
    func close(code: WebSocketCloseCode, reason: String)
    /// Bytes queued and not yet written, for slow-consumer detection.
    var queuedBytes: Int { get }
    /// An `error` message with `code` was just sent (for metrics). Default: nothing.
    func sentError(_ code: ErrorCode)
}

extension RoomClient {
    public func sentError(_ code: ErrorCode) {}
}
