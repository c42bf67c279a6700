#if canImport(Glibc)
import Glibc
#endif
import CollabJSON
import CollabTransport

/// A blocking test client over a POSIX socket: HTTP requests and a WebSocket (client role)
/// built from the codec pieces, with a receive timeout so a test can never hang.
final class ServerTestConnection {
    let fd: Int32
    private var inbox: [UInt8] = []
    private var decoder = WebSocketFrameDecoder(role: .client, maxMessageSize: 64 << 20)
    private let encoder = WebSocketFrameEncoder(role: .client)
    /// The close code the server sent, once a close frame arrived.
    private(set) var closeCode: UInt16?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to 127.0.0.1:`port`; `receiveBufferBytes` shrinks the kernel's receive buffer
    /// (set before connecting, so the TCP window stays small) for slow-consumer tests.
    init(port: Int, timeout: Duration = .seconds(5), receiveBufferBytes: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw Failure(description: "connect to \(port) failed: errno \(errno)")
        }
        setTimeout(timeout)
    }

    deinit {
        Glibc.close(fd)
    }

    func setTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func sendRaw(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Reads more bytes; false on end of stream, error or timeout.
    private func fill() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        inbox += buffer[0..<count]
        return true
    }

    // MARK: - HTTP

    /// Sends a request (a GET by default, optionally an upgrade; a body goes with its
    /// Content-Length) and reads the response head and body.
    func request(_ target: String, method: String = "GET", body: String? = nil, headers: [(String, String)] = [],
                 upgrade: Bool = false) throws -> (status: Int, headers: String, body: String) {
        var lines = ["\(method) \(target) HTTP/1.1", "Host: localhost"]
        if let body { lines.append("Content-Length: \(body.utf8.count)") }
        if upgrade {
            lines += ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                      "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: collab.v1"]
        }
        for (name, value) in headers { lines.append("\(name): \(value)") }
        sendRaw(Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")).utf8))
        while true {
            if let end = headEnd() {
                let head = String(decoding: inbox[0..<end], as: UTF8.self)
                inbox.removeFirst(end + 4)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? -1
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.split(separator: ":")[1].filter { $0 != " " }) ?? 0
                }
                while inbox.count < length {
                    guard fill() else { throw Failure(description: "body cut short") }
                }
                let body = String(decoding: inbox[0..<length], as: UTF8.self)
                inbox.removeFirst(length)
                return (status, head, body)
            }
            guard fill() else { throw Failure(description: "no response to \(target)") }
        }
    }

    private func headEnd() -> Int? {
        guard inbox.count >= 4 else { return nil }
        for i in 0...(inbox.count - 4) where inbox[i] == 13 && inbox[i + 1] == 10 && inbox[i + 2] == 13 && inbox[i + 3] == 10 {
            return i
        }
        return nil
    }

    // MARK: - WebSocket

    /// Opens a WebSocket on `path`; throws unless the server answers 101.
    static func webSocket(port: Int, path: String, headers: [(String, String)] = [],
                          receiveBufferBytes: Int32? = nil) throws -> ServerTestConnection {
        let connection = try ServerTestConnection(port: port, receiveBufferBytes: receiveBufferBytes)
        let response = try connection.request(path, headers: headers, upgrade: true)
        guard response.status == 101 else {
            throw Failure(description: "upgrade of \(path) answered \(response.status): \(response.body)")
        }
        return connection
    }

    func send(_ text: String) {
        sendRaw(encoder.encodeText(text))
    }

    /// Starts the close handshake from the client side.
    func sendClose(code: UInt16) {
        sendRaw(encoder.encodeClose(code: WebSocketCloseCode(rawValue: code)))
    }

    /// The next text message parsed, or nil at a close frame, end of stream or timeout.
    func receive() -> JSONValue? {
        next(blocking: true)
    }

    /// A text message if one is already here (nil at once otherwise).
    func receiveIfReady() -> JSONValue? {
        next(blocking: false)
    }

    private func next(blocking: Bool) -> JSONValue? {
        while true {
            if !inbox.isEmpty {
                decoder.append(inbox)
                inbox = []
            }
            do {
                if let frame = try decoder.next() {
                    switch frame.opcode {
                    case .text:
                        return try? JSONReader.parse(frame.payload)
                    case .close:
                        let payload = frame.payload
                        closeCode = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005
                        sendRaw(encoder.encodeClose(code: WebSocketCloseCode(rawValue: closeCode ?? 1000)))
                        return nil
                    case .ping:
                        sendRaw(encoder.encode(opcode: .pong, payload: frame.payload))
                    default:
                        break
                    }
                    continue
                }
            } catch {
                return nil
            }
            if !blocking {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 0) > 0 else { return nil }
            }
            guard fill() else { return nil }
        }
    }

    /// Messages until one of `type` (returned); nil if none comes.
    func receive(type: String) -> JSONValue? {
        while let message = receive() {
            if message.type == type { return message }
        }
        return nil
    }

    /// Reads until the server's close frame; its code.
    func awaitClose() -> UInt16? {
        while receive() != nil {}
        return closeCode
    }

    /// Joins `documentPath` as `clientId`: returns the messages up to and including `joined`.
    func join(clientId: String, version: Int? = nil) -> [JSONValue] {
        send(#"{"type":"join","clientId":"\#(clientId)"\#(version.map { #","version":\#($0)"# } ?? "")}"#)
        var messages: [JSONValue] = []
        while let message = receive() {
            messages.append(message)
            if message.type == "joined" || message.type == "error" { break }
        }
        return messages
    }
}
