#if canImport(Glibc)
import Glibc
#endif
@testable import CollabTransport

/// What the test server saw on its WebSocket connections (frames from the client, unmasked).
final class WebSocketClientServerLog: Sendable {
    private let frames = Locked<[WebSocketFrame]>([])
    private let headers = Locked<[HTTPHeaders]>([])

    func record(_ frame: WebSocketFrame) { frames.withLock { $0.append(frame) } }
    func record(_ request: HTTPHeaders) { headers.withLock { $0.append(request) } }
    var receivedFrames: [WebSocketFrame] { frames.withLock { $0 } }
    var requestHeaders: [HTTPHeaders] { headers.withLock { $0 } }
    /// The close frames' codes the server received, in order.
    var closeCodes: [UInt16] {
        receivedFrames.filter { $0.opcode == .close && $0.payload.count >= 2 }
            .map { UInt16($0.payload[0]) << 8 | UInt16($0.payload[1]) }
    }
}

/// A minimal RFC 6455 echo server for client tests, built from the server-role codec pieces on
/// `HTTPServer`. Routes: `/echo` (echo; text `close:<code>` makes the server close with that
/// code, `ping:<text>` makes it send a ping), `/auth` (401 unless `Authorization: Bearer good`),
/// `/forbidden` (403). Optionally over TLS.
final class WebSocketClientTestServer {
    let group: EventLoopGroup
    let server: HTTPServer
    let log = WebSocketClientServerLog()
    var port: Int { server.localAddress.port }

    init(tls: TestCertificate? = nil, serverPingInterval: Duration = .seconds(30)) throws {
        group = try EventLoopGroup(loopCount: 2, logger: .silent)
        let log = self.log
        let upgrade: @Sendable (HTTPRequest) -> HTTPRouteResult = { request in
            log.record(request.head.headers)
            switch WebSocketHandshake(supportedSubprotocols: ["collab.v1"]).evaluate(request.head) {
            case .reject(let response):
                return .respond(HTTPResponse(status: HTTPStatus(code: response.status, reasonPhrase: "Rejected"),
                                             headers: response.headers, body: SharedBytes(response.body)))
            case .accept(let response, _):
                return .upgrade(HTTPUpgrade(
                    response: HTTPResponse(status: .switchingProtocols, headers: response.headers)) { _ in
                        WebSocketClientTestServerHandler(log: log, pingInterval: serverPingInterval)
                    })
            }
        }
        var router = HTTPRouter()
        router.get("/echo", upgrade)
        router.get("/auth") { request in
            guard request.head.headers.first("Authorization") == "Bearer good" else {
                return .respond(.error(.unauthorized, code: "unauthorized", message: "missing or bad token"))
            }
            return upgrade(request)
        }
        router.get("/forbidden") { _ in .respond(.error(.forbidden, code: "forbidden", message: "no access")) }
        var configuration = HTTPServerConfiguration()
        configuration.listener.logger = .silent
        if let tls {
            let context = try TLSContext(configuration: .server(certificateChainFile: tls.certificatePath,
                                                                privateKeyFile: tls.privateKeyPath))
            configuration.listener.makeTransform = {
                // The context is valid, so a session can only fail on allocation.
                try! TLSSession(context: context)
            }
        }
        do {
            server = try HTTPServer(group: group, address: SocketAddress(host: "127.0.0.1", port: 0),
                                    router: router, configuration: configuration)
        } catch {
            group.shutdown()
            throw error
        }
    }

    func shutdown() {
        server.close()
        group.shutdown()
    }
}

/// Server end of one test connection: the server-role state machine plus an echo.
final class WebSocketClientTestServerHandler: ConnectionHandler {
    private var machine: WebSocketConnectionStateMachine
    private var recorder = WebSocketFrameDecoder(role: .server, maxMessageSize: 1 << 21)
    private let log: WebSocketClientServerLog
    private let encoder = WebSocketFrameEncoder(role: .server)
    private var timers: [TimerHandle] = []

    init(log: WebSocketClientServerLog, pingInterval: Duration) {
        self.log = log
        machine = WebSocketConnectionStateMachine(
            role: .server, configuration: WebSocketConfiguration(pingInterval: pingInterval), now: .now)
    }

    func connectionAttached(_ connection: Connection) {
        scheduleHeartbeat(connection, after: machine.configuration.pingInterval)
    }

    func connectionReadable(_ connection: Connection, bytes: UnsafeRawBufferPointer) {
        recorder.append(bytes)
        while let frame = try? recorder.next() { log.record(frame) }
        perform(machine.bytesReceived(bytes, now: .now), on: connection)
    }

    func connectionInputClosed(_ connection: Connection) {
        perform(machine.inputClosed(), on: connection)
    }

    func connectionClosed(_ connection: Connection, error: IOError?) {
        for timer in timers { timer.cancel() }
    }

    private func scheduleHeartbeat(_ connection: Connection, after delay: Duration) {
        timers.append(connection.eventLoop.scheduleTimer(after: delay) { [weak self, weak connection] in
            guard let self, let connection else { return }
            self.perform(self.machine.heartbeatTimerFired(now: .now), on: connection)
        })
    }

    private func perform(_ actions: [WebSocketConnectionStateMachine.Action], on connection: Connection) {
        for action in actions {
            switch action {
            case .deliverText(let text):
                if text.hasPrefix("close:"), let code = UInt16(text.dropFirst(6)) {
                    perform(machine.close(code: WebSocketCloseCode(rawValue: code), reason: "server says bye"),
                            on: connection)
                } else if text.hasPrefix("ping:") {
                    connection.write(encoder.encode(opcode: .ping, payload: Array(text.dropFirst(5).utf8)))
                } else {
                    perform(machine.send(.text(text)), on: connection)
                }
            case .deliverBinary(let bytes):
                perform(machine.send(.binary(bytes)), on: connection)
            case .deliverClose:
                break
            case .sendMessage(.text(let text)):
                connection.write(encoder.encodeText(text))
            case .sendMessage(.binary(let bytes)):
                connection.write(encoder.encode(opcode: .binary, payload: bytes))
            case .sendPing(let payload):
                connection.write(encoder.encode(opcode: .ping, payload: payload))
            case .sendPong(let payload):
                connection.write(encoder.encode(opcode: .pong, payload: payload))
            case .sendClose(let code, let reason):
                connection.write(encoder.encodeClose(code: code, reason: reason))
            case .startCloseTimer(let delay):
                timers.append(connection.eventLoop.scheduleTimer(after: delay) { [weak self, weak connection] in
                    guard let self, let connection else { return }
                    self.perform(self.machine.closeTimerFired(), on: connection)
                })
            case .scheduleHeartbeat(let delay):
                scheduleHeartbeat(connection, after: delay)
            case .closeTCP:
                connection.close(afterFlush: true)
            }
        }
    }
}
