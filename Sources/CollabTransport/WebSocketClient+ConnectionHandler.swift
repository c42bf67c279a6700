/// The client is its connection's handler: before the 101 it reads the HTTP response,
/// afterwards WebSocket frames.
extension WebSocketClient: ConnectionHandler {
    public func connectionAttached(_ connection: Connection) {
        beginHandshake(on: connection)
    }

    public func connectionReadable(_ connection: Connection, bytes: UnsafeRawBufferPointer) {
        batchingWrites(on: connection) {
            if isOpenOrClosing {
                frameBytesReceived(bytes)
            } else {
                responseBytesReceived(bytes)
            }
        }
    }

    public func connectionInputClosed(_ connection: Connection) {
        inputClosed(connection)
    }

    public func connectionClosed(_ connection: Connection, error: IOError?) {
        connectionEnded(error: error)
    }
}
