#if canImport(Glibc)
import Glibc
#endif
@testable import CollabTransport

/// A blocking test peer that speaks just enough WebSocket (client role) over a POSIX
/// socket, optionally through a client `TLSSession`, using the pure codec pieces.
final class RawWebSocketPeer {
    let socket: RawClient
    private let tls: TLSSession?
    private var decoder = WebSocketFrameDecoder(role: .client, maxMessageSize: 64 << 20)
    /// Plaintext received but not yet consumed (HTTP head or frames).
    private var inbox: [UInt8] = []
    /// Whether the stream ended (EOF, reset or TLS close_notify).
    private(set) var sawEnd = false

    /// Connects to 127.0.0.1:`port` (TLS if `tls` is a client context).
    init(port: Int, tls: TLSContext? = nil, receiveTimeout: Duration = .seconds(3),
         receiveBuffer: Int32? = nil) throws {
        socket = try RawClient(port: port, receiveTimeout: receiveTimeout, receiveBuffer: receiveBuffer)
        self.tls = try tls.map { try TLSSession(context: $0, serverName: "localhost") }
        flushTLS()
    }

    // MARK: - Bytes

    /// Sends plaintext (encrypted first over TLS).
    func sendRaw(_ bytes: [UInt8]) {
        guard let tls else {
            socket.send(bytes)
            return
        }
        var ciphertext: [UInt8] = []
        try? bytes.withUnsafeBytes { try tls.send(plaintext: $0, ciphertext: &ciphertext) }
        socket.send(ciphertext)
    }

    private func flushTLS() {
        guard let tls else { return }
        var ciphertext: [UInt8] = []
        tls.drainOutgoing(into: &ciphertext)
        if !ciphertext.isEmpty { socket.send(ciphertext) }
    }

    /// Reads more plaintext into the inbox; false on EOF, error or timeout.
    private func fill() -> Bool {
        guard let chunk = socket.receive() else {
            // A timeout is not the end of the stream; a reset is.
            if errno != EAGAIN && errno != EWOULDBLOCK { sawEnd = true }
            return false
        }
        guard !chunk.isEmpty else {
            sawEnd = true
            return false
        }
        guard let tls else {
            inbox += chunk
            return true
        }
        var plaintext: [UInt8] = []
        do {
            try chunk.withUnsafeBytes { try tls.receive(ciphertext: $0, plaintext: &plaintext) }
        } catch {
            sawEnd = true
            return false
        }
        flushTLS()
        inbox += plaintext
        if tls.peerClosed && plaintext.isEmpty {
            sawEnd = true
            return false
        }
        return true
    }

    // MARK: - HTTP

    /// Sends an upgrade request for `path` with `headers` replacing or adding to the defaults.
    func sendUpgrade(path: String = "/", headers: [(String, String)] = [], protocols: String? = nil) {
        var lines = ["GET \(path) HTTP/1.1", "Host: localhost", "Upgrade: websocket", "Connection: Upgrade",
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
        if let protocols { lines.append("Sec-WebSocket-Protocol: \(protocols)") }
        for (name, value) in headers { lines.append("\(name): \(value)") }
        sendRaw(Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
    }

    /// Reads one HTTP response: status, head text, body (by Content-Length).
    func readResponse() -> (status: Int, head: String, body: String)? {
        while true {
            if let end = headEnd() {
                let head = String(decoding: inbox[0..<end], as: UTF8.self)
                inbox.removeFirst(end + 4)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? -1
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.split(separator: ":")[1].trimmingCharacters()) ?? 0
                }
                while inbox.count < length { guard fill() else { return nil } }
                let body = String(decoding: inbox[0..<length], as: UTF8.self)
                inbox.removeFirst(length)
                return (status, head, body)
            }
            guard fill() else { return nil }
        }
    }

    private func headEnd() -> Int? {
        guard inbox.count >= 4 else { return nil }
        for i in 0...(inbox.count - 4) where inbox[i] == 13 && inbox[i + 1] == 10 && inbox[i + 2] == 13 && inbox[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Upgrades; true if the server answered 101.
    func upgrade(path: String = "/", headers: [(String, String)] = []) -> Bool {
        sendUpgrade(path: path, headers: headers)
        return readResponse()?.status == 101
    }

    // MARK: - Frames

    /// Sends one masked frame.
    func send(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) {
        sendRaw(clientFrame(opcode, payload, fin: fin))
    }

    func send(text: String) { send(.text, Array(text.utf8)) }

    /// The next frame from the server, or nil on end of stream, timeout or a framing error.
    func readFrame() -> WebSocketFrame? {
        while true {
            if !inbox.isEmpty {
                decoder.append(inbox)
                inbox = []
            }
            do {
                if let frame = try decoder.next() { return frame }
            } catch {
                return nil
            }
            guard fill() else { return nil }
        }
    }

    /// The next data frame, answering nothing and skipping pings.
    func readDataFrame() -> WebSocketFrame? {
        while let frame = readFrame() {
            if frame.opcode != .ping && frame.opcode != .pong { return frame }
        }
        return nil
    }

    /// Reads until a close frame; its code (nil if none came before the end of the stream).
    func readCloseCode() -> WebSocketCloseCode? {
        while let frame = readFrame() {
            if frame.opcode == .close {
                return (try? WebSocketClosePayload.parse(frame.payload))?.code
            }
        }
        return nil
    }

    /// Half-closes our side (FIN), as a client does once the close handshake is over.
    func finishSending() {
        shutdown(socket.fd, Int32(SHUT_WR))
    }

    /// True if the stream ends (EOF or reset) before the receive timeout, skipping data.
    func waitForEnd() -> Bool {
        if sawEnd { return true }
        while fill() { inbox = [] }
        return sawEnd
    }
}
