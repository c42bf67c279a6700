#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CollabTransport
import CollabTestSupport

/// The next event, or nil if none arrives within `timeout`.
private func nextEvent(_ connection: WebSocketClientConnection,
                       timeout: Duration = .seconds(5)) async -> WebSocketClientEvent? {
    await withTaskGroup(of: WebSocketClientEvent?.self) { group in
        group.addTask { await connection.next() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// Connects and expects failure; returns the error (nil, recorded as an issue, if it connected).
private func connectFailure(_ url: String, configuration: WebSocketClientConfiguration = .init(),
                            on loop: EventLoop) async -> WebSocketClientError? {
    do {
        _ = try await WebSocketClient.connect(url: url, configuration: configuration, on: loop)
        Issue.record("connecting to \(url) succeeded")
        return nil
    } catch {
        return error
    }
}

@Suite(.serialized) struct WebSocketClientTests {
    @Test func textAndBinaryRoundTripsWithSubprotocol() async throws {
        let server = try WebSocketClientTestServer()
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        var configuration = WebSocketClientConfiguration()
        configuration.subprotocols = ["collab.v1"]
        // No heartbeat: on a loaded machine a ping could fall between the frames counted below.
        configuration.sendsPings = false
        let connection = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(server.port)/echo?doc=a", configuration: configuration, on: clients.next())
        #expect(connection.subprotocol == "collab.v1")
        try await connection.send(text: "hello, wörld")
        #expect(await nextEvent(connection) == .message(.text("hello, wörld")))
        try await connection.send(binary: [0, 1, 2, 255])
        #expect(await nextEvent(connection) == .message(.binary([0, 1, 2, 255])))
        try await connection.send(text: "")
        #expect(await nextEvent(connection) == .message(.text("")))
        let headers = try #require(server.log.requestHeaders.first)
        #expect(headers.first("Host") == "127.0.0.1:\(server.port)")
        #expect(headers.first("Sec-WebSocket-Protocol") == "collab.v1")
        // Every frame the server saw was masked (the recorder runs in the server role) and whole.
        // Heartbeats (a pong to the test server's ping on a slow run) are not what is counted.
        #expect(server.log.receivedFrames.map(\.opcode).filter { $0 != .ping && $0 != .pong } == [.text, .binary, .text])
    }

    @Test func oneMebibyteMessagesBothWays() async throws {
        let server = try WebSocketClientTestServer()
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        let connection = try await WebSocketClient.connect(url: "ws://localhost:\(server.port)/echo", on: clients.next())
        let seed: UInt64 = 0x5EED_0001
        var rng = SplitMix64(seed: seed)
        let binary = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try await connection.send(binary: binary)
        let echoed = await nextEvent(connection)
        #expect(echoed == .message(.binary(binary)), "seed \(seed)")
        let text = String(repeating: "ab€", count: (1 << 20) / 5)
        try await connection.send(text: text)
        #expect(await nextEvent(connection) == .message(.text(text)))
        await connection.close()
    }

    @Test func pingsAreAnsweredAndClientPingsWhenAsked() async throws {
        let server = try WebSocketClientTestServer()
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        var configuration = WebSocketClientConfiguration()
        configuration.webSocket.pingInterval = .milliseconds(100)
        let connection = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/echo",
                                                           configuration: configuration, on: clients.next())
        try await connection.send(text: "ping:abc")
        try await connection.send(text: "after")
        #expect(await nextEvent(connection) == .message(.text("after")))
        #expect(waitUntil { server.log.receivedFrames.contains { $0.opcode == .pong && $0.payload == Array("abc".utf8) } })
        #expect(waitUntil { server.log.receivedFrames.contains { $0.opcode == .ping } })
    }

    @Test func clientInitiatedCloseHandshake() async throws {
        let server = try WebSocketClientTestServer()
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        let connection = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/echo", on: clients.next())
        await connection.close(code: WebSocketCloseCode(rawValue: 3001), reason: "bye")
        #expect(await nextEvent(connection) == .closed(code: WebSocketCloseCode(rawValue: 3001), reason: ""))
        #expect(await nextEvent(connection) == nil)
        #expect(server.log.closeCodes == [3001])
        let close = try #require(server.log.receivedFrames.last)
        #expect(Array(close.payload.dropFirst(2)) == Array("bye".utf8))
        do {
            try await connection.send(text: "too late")
            Issue.record("send after close succeeded")
        } catch {
            #expect(error == .closed)
        }
    }

    @Test func serverInitiatedCloseHandshake() async throws {
        let server = try WebSocketClientTestServer()
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        let connection = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/echo", on: clients.next())
        try await connection.send(text: "close:4409")
        #expect(await nextEvent(connection) == .closed(code: .versionAhead, reason: "server says bye"))
        // The client echoed the server's code.
        #expect(waitUntil { server.log.closeCodes == [4409] })
    }

    @Test func handshakeRejectionSurfacesStatusAndBody() async throws {
        let server = try WebSocketClientTestServer()
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        let loop = clients.next()
        let unauthorized = await connectFailure("ws://127.0.0.1:\(server.port)/auth", on: loop)
        guard case .handshakeRejected(let status, let headers, let body)? = unauthorized else {
            Issue.record("expected a rejection, got \(String(describing: unauthorized))")
            return
        }
        #expect(status == 401)
        #expect(headers.first("Content-Type") == "application/json")
        #expect(String(decoding: body, as: UTF8.self) == #"{"error":"unauthorized","message":"missing or bad token"}"#)
        #expect(unauthorized?.isRetryable == false)

        let forbidden = await connectFailure("ws://127.0.0.1:\(server.port)/forbidden", on: loop)
        #expect(forbidden?.rejectionBody?.contains("forbidden") == true)
        #expect(forbidden?.isRetryable == false)

        let missing = await connectFailure("ws://127.0.0.1:\(server.port)/nowhere", on: loop)
        if case .handshakeRejected(let status, _, _)? = missing { #expect(status == 404) } else {
            Issue.record("expected 404, got \(String(describing: missing))")
        }

        var configuration = WebSocketClientConfiguration()
        configuration.extraHeaders.add(name: "Authorization", value: "Bearer good")
        let connection = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/auth",
                                                           configuration: configuration, on: loop)
        try await connection.send(text: "in")
        #expect(await nextEvent(connection) == .message(.text("in")))

        var unsupported = WebSocketClientConfiguration()
        unsupported.subprotocols = ["other.v9"]
        let refused = await connectFailure("ws://127.0.0.1:\(server.port)/echo", configuration: unsupported, on: loop)
        if case .handshakeRejected(let status, _, _)? = refused { #expect(status == 400) } else {
            Issue.record("expected 400, got \(String(describing: refused))")
        }
    }

    @Test func connectRefusedAndInvalidURL() async throws {
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        // A port that was just free: bind, read the port, close.
        let probe = try Socket.makeListening(address: SocketAddress(host: "127.0.0.1", port: 0))
        let port = try probe.localAddress().port
        probe.close()
        let refused = await connectFailure("ws://127.0.0.1:\(port)/", on: clients.next())
        #expect(refused == .connectionFailed(IOError(errnoCode: ECONNREFUSED, reason: "connect to 127.0.0.1:\(port)")))
        #expect(refused?.isRetryable == true)
        let invalid = await connectFailure("http://127.0.0.1:\(port)/", on: clients.next())
        #expect(invalid == .invalidURL("http://127.0.0.1:\(port)/"))
        #expect(invalid?.isRetryable == false)
    }

    @Test func connectTimesOutWhenTheServerNeverAnswersTheSYN() async throws {
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        let loop = clients.next()
        // A listener that never accepts, with the smallest backlog: once its accept queue is
        // full, Linux drops further SYNs, so a connect can only time out.
        let listener = try Socket.makeListening(address: SocketAddress(host: "127.0.0.1", port: 0), backlog: 0)
        defer { listener.close() }
        let address = try listener.localAddress()
        let fillers = Locked<[CInt]>([])
        defer { for fd in fillers.withLock({ $0 }) { close(fd) } }
        loop.execute {
            for _ in 0..<4 {
                ClientConnector.connect(to: address, on: loop, timeout: .seconds(5)) { result in
                    if case .success(let fd) = result { fillers.withLock { $0.append(fd) } }
                }
            }
        }
        #expect(waitUntil { fillers.withLock { $0.count } >= 1 })
        usleep(100_000)
        var configuration = WebSocketClientConfiguration()
        configuration.connectTimeout = .milliseconds(300)
        let started = ContinuousClock.now
        let error = await connectFailure("ws://127.0.0.1:\(address.port)/", configuration: configuration, on: loop)
        let elapsed = ContinuousClock.now - started
        #expect(error == .connectionFailed(IOError(errnoCode: ETIMEDOUT, reason: "connect to \(address)")))
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(3))
    }

    @Test func handshakeTimesOutAgainstASilentServer() async throws {
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        // Accepts (the kernel completes the TCP handshake) but never answers the upgrade.
        let listener = try Socket.makeListening(address: SocketAddress(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        var configuration = WebSocketClientConfiguration()
        configuration.handshakeTimeout = .milliseconds(200)
        let error = await connectFailure("ws://127.0.0.1:\(try listener.localAddress().port)/",
                                         configuration: configuration, on: clients.next())
        #expect(error == .handshakeTimedOut)
    }

    @Test func wssWithTheCertificateAsCAVerifiesAndWithoutItFails() async throws {
        let certificate = try TestCertificate.make(commonName: "localhost")
        defer { certificate.remove() }
        let server = try WebSocketClientTestServer(tls: certificate)
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        let loop = clients.next()

        var trusting = WebSocketClientConfiguration()
        trusting.tlsVerification = .certificateAuthorityFile(certificate.certificatePath)
        let connection = try await WebSocketClient.connect(url: "wss://localhost:\(server.port)/echo",
                                                           configuration: trusting, on: loop)
        try await connection.send(text: "secret")
        #expect(await nextEvent(connection) == .message(.text("secret")))
        let big = [UInt8](repeating: 0xA5, count: 300_000)
        try await connection.send(binary: big)
        #expect(await nextEvent(connection) == .message(.binary(big)))
        await connection.close()
        #expect(await nextEvent(connection) == .closed(code: .normalClosure, reason: ""))

        let untrusted = await connectFailure("wss://localhost:\(server.port)/echo", on: loop)
        guard case .tls(let error)? = untrusted else {
            Issue.record("expected a TLS failure, got \(String(describing: untrusted))")
            return
        }
        #expect(error.kind == .peerVerification)
        #expect(untrusted?.isRetryable == false)

        // The certificate names localhost and 127.0.0.1, not this name.
        var wrongName = WebSocketClientConfiguration()
        wrongName.tlsVerification = .certificateAuthorityFile(certificate.certificatePath)
        wrongName.extraHeaders.add(name: "X-Test", value: "1")
        let mismatch = await connectFailure("wss://127.0.0.2:\(server.port)/echo", configuration: wrongName, on: loop)
        if case .tls(let error)? = mismatch { #expect(error.kind == .peerVerification) } else {
            // 127.0.0.2 may be unreachable in some sandboxes; then the connect fails instead.
            if case .connectionFailed? = mismatch {} else { Issue.record("got \(String(describing: mismatch))") }
        }
    }

    @Test func loopLevelClientDeliversToItsDelegateOnTheLoop() throws {
        let server = try WebSocketClientTestServer()
        defer { server.shutdown() }
        let clients = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { clients.shutdown() }
        let loop = clients.next()
        let log = Locked<[String]>([])
        let port = server.port
        loop.execute {
            let delegate = EchoScriptDelegate(log: log, loop: loop)
            WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/echo", on: loop, delegate: delegate)
        }
        #expect(waitUntil { log.withLock { $0.last?.hasPrefix("closed") == true } })
        #expect(log.withLock { $0 } == ["open nil", "text 0", "text 1", "text 2", "binary 3", "closed 1000"])
    }
}

/// Sends three texts and a binary when opened, closes after the fourth echo.
private final class EchoScriptDelegate: WebSocketClientDelegate {
    let log: Locked<[String]>
    let loop: EventLoop
    var received = 0
    init(log: Locked<[String]>, loop: EventLoop) {
        self.log = log
        self.loop = loop
    }

    func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
        log.withLock { $0.append("open \(subprotocol ?? "nil")") }
        for i in 0..<3 { client.send(text: String(i)) }
        client.send(binary: [3])
    }

    func webSocketClient(_ client: WebSocketClient, didReceiveText text: String) {
        #expect(loop.inEventLoop)
        log.withLock { $0.append("text \(text)") }
    }

    func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8]) {
        log.withLock { $0.append("binary \(bytes.first ?? 0)") }
        client.close()
    }

    func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError) {
        log.withLock { $0.append("failed \(error)") }
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        log.withLock { $0.append("closed \(code)") }
    }
}

@Suite struct WebSocketClientURLTests {
    @Test func parsesSchemesHostsPortsAndTargets() throws {
        let plain = try #require(WebSocketClientURL("ws://example.com/v1/docs/a?token=x"))
        #expect(!plain.isSecure && plain.host == "example.com" && plain.port == 80)
        #expect(plain.target == "/v1/docs/a?token=x" && plain.hostHeader == "example.com")
        let secure = try #require(WebSocketClientURL("WSS://Example.com:8443"))
        #expect(secure.isSecure && secure.port == 8443 && secure.target == "/" && secure.hostHeader == "Example.com:8443")
        let v6 = try #require(WebSocketClientURL("ws://[::1]:9001?x=1"))
        #expect(v6.host == "::1" && v6.port == 9001 && v6.target == "/?x=1" && v6.hostHeader == "[::1]:9001")
        #expect(WebSocketClientURL("wss://h/")?.port == 443)
        #expect(WebSocketClientURL("wss://h:443/")?.hostHeader == "h")
    }

    @Test func refusesWhatIsNotAWebSocketURL() {
        for text in ["http://h/", "ws://", "ws:///path", "ws://h:0/", "ws://h:65536/", "ws://h:x/",
                     "ws://user@h/", "ws://h/#frag", "ws://h/a b", "ws://::1/", "ws://[::1/", "ws://h:/"] {
            #expect(WebSocketClientURL(text) == nil, "\(text)")
        }
    }

    @Test func resolvesLiteralsWithoutDNSAndNamesWithGetaddrinfo() throws {
        #expect(try ClientConnector.resolve(host: "127.0.0.1", port: 80).map(\.description) == ["127.0.0.1:80"])
        #expect(try ClientConnector.resolve(host: "[::1]", port: 81).map(\.description) == ["[::1]:81"])
        #expect(throws: IOError.self) { try ClientConnector.resolve(host: "no-such-host.invalid", port: 80) }
    }
}
