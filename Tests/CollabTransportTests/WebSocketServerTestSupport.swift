#if canImport(Glibc)
import Glibc
#endif
@testable import CollabTransport

/// Echoes messages and records every event as a line in `events`. Text commands:
/// `close:CODE` closes with CODE; `flood:N` sends N 64 KiB binary messages at once;
/// `burst:N` sends N text messages from a loop task (outside input processing) and records
/// how many `sendmsg` calls they took.
final class RecordingDelegate: WebSocketServerDelegate {
    let events: Locked<[String]>
    let closeOnOverflow: Bool

    init(events: Locked<[String]>, closeOnOverflow: Bool = true) {
        self.events = events
        self.closeOnOverflow = closeOnOverflow
    }

    private func record(_ line: String) { events.withLock { $0.append(line) } }

    func webSocketDidOpen(_ webSocket: WebSocketServerConnection) {
        record("open \(webSocket.requestHead.path) loop=\(webSocket.eventLoop.index) protocol=\(webSocket.subprotocol ?? "-")")
    }

    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveText text: String) {
        record("text \(text.utf8.count)")
        if text.hasPrefix("close:"), let code = UInt16(text.dropFirst(6)) {
            webSocket.close(code: WebSocketCloseCode(rawValue: code), reason: "asked")
        } else if text.hasPrefix("burst:"), let count = Int(text.dropFirst(6)) {
            let loop = webSocket.eventLoop
            let bound = LoopBound(webSocket, eventLoop: loop)
            let events = self.events
            loop.execute {
                let before = bound.value.sendCalls
                for index in 0..<count { bound.value.send(text: "burst \(index)") }
                // The next round runs after this round's deferred flush.
                loop.execute {
                    let calls = bound.value.sendCalls - before
                    events.withLock { $0.append("burst sendCalls \(calls)") }
                }
            }
        } else if text.hasPrefix("flood:"), let count = Int(text.dropFirst(6)) {
            let chunk = [UInt8](repeating: 0x5A, count: 64 * 1024)
            for _ in 0..<count { webSocket.send(binary: chunk) }
        } else {
            webSocket.send(text: text)
        }
    }

    func webSocket(_ webSocket: WebSocketServerConnection, didReceiveBinary bytes: [UInt8]) {
        record("binary \(bytes.count)")
        webSocket.send(binary: bytes)
    }

    func webSocketWritabilityChanged(_ webSocket: WebSocketServerConnection) {
        record("writable \(webSocket.isWritable)")
    }

    func webSocketSendQueueOverflowed(_ webSocket: WebSocketServerConnection) {
        record("overflow \(webSocket.queuedBytes > webSocket.sendQueueLimit)")
        if closeOnOverflow { webSocket.close(code: .tryAgainLater) }
    }

    func webSocketDidClose(_ webSocket: WebSocketServerConnection, code: WebSocketCloseCode, reason: String) {
        record("close \(code.rawValue) \(reason)")
    }
}

/// A WebSocket server on 127.0.0.1:0 whose connections get `RecordingDelegate`s, unless
/// `accept` decides otherwise.
final class WebSocketTestServer {
    let group: EventLoopGroup
    let server: WebSocketServer
    let events = Locked<[String]>([])

    init(loops: Int = 2, configure: (inout WebSocketServerConfiguration) -> Void = { _ in },
         accept: WebSocketUpgrader.AcceptHook? = nil) throws {
        group = try EventLoopGroup(loopCount: loops, logger: .silent)
        var configuration = WebSocketServerConfiguration()
        configuration.http.listener.logger = .silent
        configure(&configuration)
        let events = self.events
        let defaultAccept: WebSocketUpgrader.AcceptHook = { _ in
            .accept(targetLoop: nil) { _ in RecordingDelegate(events: events) }
        }
        do {
            server = try WebSocketServer(group: group, address: SocketAddress(host: "127.0.0.1", port: 0),
                                         configuration: configuration, accept: accept ?? defaultAccept)
        } catch {
            group.shutdown()
            throw error
        }
    }

    var port: Int { server.localAddress.port }

    /// Waits until an event line starting with `prefix` was recorded.
    func waitForEvent(_ prefix: String, timeout: Duration = .seconds(3)) -> Bool {
        waitUntil(timeout: timeout) { events.withLock { $0.contains { $0.hasPrefix(prefix) } } }
    }

    func eventLines() -> [String] { events.withLock { $0 } }

    func shutdown() {
        server.close()
        group.shutdown()
    }
}
