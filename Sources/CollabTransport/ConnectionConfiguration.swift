/// Per-connection buffer and back-pressure settings.
public struct ConnectionConfiguration: Sendable {
    /// Size of the reusable read buffer (default 64 KiB).
    public var readBufferSize: Int = 64 * 1024
    /// Queued outbound bytes above which `isWritable` turns false (default 1 MiB).
    public var highWatermark: Int = 1024 * 1024
    /// Queued outbound bytes at or below which `isWritable` turns true again (default 256 KiB).
    public var lowWatermark: Int = 256 * 1024
    /// Kernel send buffer size (SO_SNDBUF), or nil for the kernel's auto-tuning. A small
    /// buffer makes back-pressure reach the queue sooner and bounds kernel memory per peer.
    public var socketSendBufferSize: Int32?
    /// After `close(afterFlush:)` sent FIN, how long to drain the peer's input before
    /// closing, so unread input does not make the kernel reset the response away (default 2 s).
    public var lingerTimeout: Duration = .seconds(2)

    /// Default settings.
    public init() {}
}
