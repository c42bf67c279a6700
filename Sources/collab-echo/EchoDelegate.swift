import CollabTransport

/// Echoes each message to its sender, or with a broadcast to every open WebSocket.
final class EchoDelegate: WebSocketServerDelegate {
    private let broadcast: EchoBroadcast?

    init(broadcast: EchoBroadcast?) {
        self.broadcast = broadcast
    }

    func webSocketDidOpen(_ webSocket: WebSocketServerConnection) {
        broadcast?.join(webSocket)
    }

    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveText text: String) {
        if let broadcast {
            broadcast.send(WebSocketFrameEncoder.sharedTextFrame(text), from: webSocket.eventLoop)
        } else {
            webSocket.send(text: text)
        }
    }

    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveBinary bytes: [UInt8]) {
        if let broadcast {
            broadcast.send(WebSocketFrameEncoder.sharedFrame(opcode: .binary, payload: bytes), from: webSocket.eventLoop)
        } else {
            webSocket.send(binary: bytes)
        }
    }

    func webSocketDidClose(_ webSocket: WebSocketServerConnection, code: WebSocketCloseCode, reason: String) {
        broadcast?.leave(webSocket)
    }
}
