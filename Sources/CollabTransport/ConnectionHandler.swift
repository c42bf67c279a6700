/// Receives a connection's events; always called on the connection's event loop.
/// A handler is owned by one connection at a time (it is not `Sendable`).
public protocol ConnectionHandler: AnyObject {
    /// The handler was installed on `connection` (at accept, after a replacement or hand-off).
    func connectionAttached(_ connection: Connection)
    /// Bytes arrived. `bytes` is valid only during the call; copy what must outlive it.
    func connectionReadable(_ connection: Connection, bytes: UnsafeRawBufferPointer)
    /// `connection.isWritable` flipped: the send queue crossed the high watermark (false)
    /// or drained below the low watermark (true).
    func connectionWritabilityChanged(_ connection: Connection)
    /// The peer half-closed (sent FIN); no more bytes will arrive. Default: close after flush.
    func connectionInputClosed(_ connection: Connection)
    /// The connection is closed (`error` nil for an orderly close). Called exactly once.
    func connectionClosed(_ connection: Connection, error: IOError?)
}

extension ConnectionHandler {
    public func connectionAttached(_ connection: Connection) {}
    public func connectionWritabilityChanged(_ connection: Connection) {}
    public func connectionInputClosed(_ connection: Connection) {
        connection.close(afterFlush: true)
    }
}
