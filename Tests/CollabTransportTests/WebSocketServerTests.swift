#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import CollabTransport

@Suite struct WebSocketServerTests {
    // MARK: - Handshake and echo

    @Test func acceptsAndEchoesTextAndBinary() throws {
        let server = try WebSocketTestServer()
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        peer.sendUpgrade(path: "/v1/docs/abc", protocols: "other, collab.v1")
        let response = try #require(peer.readResponse())
        #expect(response.status == 101)
        #expect(response.head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
        #expect(response.head.contains("Sec-WebSocket-Protocol: collab.v1"))
        #expect(server.waitForEvent("open /v1/docs/abc loop="))
        #expect(server.eventLines().first?.hasSuffix("protocol=collab.v1") == true)

        peer.send(text: "héllo")
        let text = try #require(peer.readDataFrame())
        #expect(text.opcode == .text && text.payload == Array("héllo".utf8))

        let blob = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        peer.send(.binary, blob)
        let binary = try #require(peer.readDataFrame())
        #expect(binary.opcode == .binary && binary.payload == blob)

        // A fragmented message with a ping in the middle: pong first, then the whole echo.
        peer.send(.text, Array("frag".utf8), fin: false)
        peer.send(.ping, [1, 2, 3])
        peer.send(.continuation, Array("ment".utf8))
        let pong = try #require(peer.readFrame())
        #expect(pong.opcode == .pong && pong.payload == [1, 2, 3])
        let joined = try #require(peer.readFrame())
        #expect(joined.opcode == .text && joined.payload == Array("fragment".utf8))
    }

    @Test func messagesSentInOneLoopRoundLeaveInOneSend() throws {
        let server = try WebSocketTestServer()
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        peer.sendUpgrade(path: "/")
        #expect(peer.readResponse()?.status == 101)
        peer.send(text: "burst:5")
        for index in 0..<5 {
            #expect(peer.readDataFrame()?.payload == Array("burst \(index)".utf8))
        }
        #expect(server.waitForEvent("burst sendCalls"))
        #expect(server.eventLines().contains("burst sendCalls 1"))
    }

    @Test func bytesRightAfterTheHandshakeAreNotLost() throws {
        let server = try WebSocketTestServer()
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        // Request and first frame in one write: the frame is leftover input for the WebSocket.
        var request = Array(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
        request += clientFrame(.text, Array("early".utf8))
        peer.sendRaw(request)
        #expect(peer.readResponse()?.status == 101)
        #expect(peer.readDataFrame()?.payload == Array("early".utf8))
    }

    // MARK: - Rejections

    @Test func acceptHookRejectsWithExactStatusAndBody() throws {
        let server = try WebSocketTestServer(accept: { request in
            if request.head.query == "token=good" {
                return .accept(targetLoop: nil) { _ in RecordingDelegate(events: Locked([])) }
            }
            return .reject(.unauthorized, message: "missing or bad token")
        })
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        peer.sendUpgrade(path: "/v1/docs/a?token=bad")
        let response = try #require(peer.readResponse())
        #expect(response.status == 401)
        #expect(response.body == #"{"error":"unauthorized","message":"missing or bad token"}"#)
        #expect(response.head.contains("Content-Type: application/json"))
        #expect(response.head.components(separatedBy: "Connection:").count == 2)
        #expect(response.head.contains("Connection: close"))
        #expect(!response.head.contains("Upgrade: websocket"))
        #expect(peer.waitForEnd())

        let good = try RawWebSocketPeer(port: server.port)
        #expect(good.upgrade(path: "/v1/docs/a?token=good"))
    }

    @Test func badHandshakeIsRefusedBeforeTheHook() throws {
        let asked = Locked(0)
        let server = try WebSocketTestServer(accept: { _ in
            asked.withLock { $0 += 1 }
            return .reject(.forbidden, message: "no")
        })
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        peer.sendRaw(Array(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n").utf8))
        let response = try #require(peer.readResponse())
        #expect(response.status == 426)
        #expect(response.head.contains("Sec-WebSocket-Version: 13"))
        #expect(response.head.components(separatedBy: "Connection:").count == 2)
        #expect(response.body.contains(#""error":"upgrade_required""#))
        #expect(peer.waitForEnd())
        #expect(asked.withLock { $0 } == 0)
    }

    @Test func deferredDecisionAcceptsFromAnotherThread() throws {
        let events = Locked<[String]>([])
        let server = try WebSocketTestServer(loops: 2, accept: { request in
            // Decide later on another thread, as after a storage lookup.
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
                request.complete(.accept(targetLoop: nil) { _ in RecordingDelegate(events: events) })
            }
            return .deferred
        })
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        #expect(peer.upgrade())
        peer.send(text: "late")
        #expect(peer.readDataFrame()?.payload == Array("late".utf8))
    }

    // MARK: - Heartbeat

    @Test func heartbeatPingsAndClosesASilentPeerWith1001() throws {
        let server = try WebSocketTestServer { $0.webSocket.pingInterval = .milliseconds(100) }
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        let start = ContinuousClock.now
        #expect(peer.upgrade())
        let ping = try #require(peer.readFrame())
        #expect(ping.opcode == .ping)
        #expect(peer.readCloseCode() == .goingAway)
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(190) && elapsed < .seconds(2), "closed after \(elapsed)")
        #expect(peer.waitForEnd())
        #expect(server.waitForEvent("close 1001"))
    }

    @Test func pongsKeepAPeerAlive() throws {
        let server = try WebSocketTestServer { $0.webSocket.pingInterval = .milliseconds(100) }
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port, receiveTimeout: .milliseconds(60))
        #expect(peer.upgrade())
        var pings = 0
        let deadline = ContinuousClock.now + .milliseconds(600)
        while ContinuousClock.now < deadline {
            if let frame = peer.readFrame() {
                #expect(frame.opcode == .ping)
                pings += 1
                peer.send(.pong, frame.payload)
            }
        }
        #expect(pings >= 3)
        peer.send(text: "still here")
        peer.socket.setReceiveTimeout(.seconds(3))
        #expect(peer.readDataFrame()?.payload == Array("still here".utf8))
        #expect(!server.eventLines().contains { $0.hasPrefix("close") })
    }

    // MARK: - Protocol errors

    @Test(arguments: [
        ("unmasked", WebSocketCloseCode.protocolError),
        ("bad UTF-8", WebSocketCloseCode.invalidPayloadData),
        ("oversize", WebSocketCloseCode.messageTooBig),
    ])
    func protocolErrorsCloseWithTheirCode(_ violation: String, _ code: WebSocketCloseCode) throws {
        let server = try WebSocketTestServer { $0.webSocket.maxMessageSize = 1024 }
        defer { server.shutdown() }
        let bystander = try RawWebSocketPeer(port: server.port)
        #expect(bystander.upgrade())
        let peer = try RawWebSocketPeer(port: server.port)
        #expect(peer.upgrade())
        switch violation {
        case "unmasked": peer.sendRaw(serverFrame(.text, Array("hi".utf8)))
        case "bad UTF-8": peer.send(.text, [0x68, 0xC0, 0xAF])
        default: peer.send(.binary, [UInt8](repeating: 1, count: 2000))
        }
        #expect(peer.readCloseCode() == code)
        #expect(peer.waitForEnd())
        #expect(server.waitForEvent("close \(code.rawValue)"))
        bystander.send(text: "ok")
        #expect(bystander.readDataFrame()?.payload == Array("ok".utf8))
    }

    // MARK: - Close handshake

    @Test func clientInitiatedClose() throws {
        let server = try WebSocketTestServer()
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        #expect(peer.upgrade())
        peer.send(.close, WebSocketClosePayload(code: .normalClosure, reason: "bye").encoded())
        let close = try #require(peer.readFrame())
        #expect(close.opcode == .close)
        #expect(try WebSocketClosePayload.parse(close.payload).code == .normalClosure)
        #expect(peer.waitForEnd())
        #expect(server.waitForEvent("close 1000 bye"))
    }

    @Test func serverInitiatedClose() throws {
        let server = try WebSocketTestServer()
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port)
        #expect(peer.upgrade())
        peer.send(text: "close:4409")
        let close = try #require(peer.readFrame())
        #expect(close.opcode == .close)
        #expect(try WebSocketClosePayload.parse(close.payload) == WebSocketClosePayload(code: .versionAhead, reason: "asked"))
        // Messages after our close are not answered; the peer's close ends it.
        peer.send(text: "ignored")
        peer.send(.close, WebSocketClosePayload(code: .versionAhead).encoded())
        #expect(peer.readFrame() == nil)
        #expect(peer.waitForEnd())
        peer.finishSending()
        #expect(server.waitForEvent("close 4409"))
    }

    // MARK: - Back-pressure

    @Test func slowConsumerOverflowsAndIsClosedWith1013() throws {
        let server = try WebSocketTestServer {
            $0.sendQueueLimit = 512 * 1024
            $0.http.listener.connection.highWatermark = 256 * 1024
            $0.http.listener.connection.lowWatermark = 64 * 1024
            $0.http.listener.connection.socketSendBufferSize = 16 * 1024
        }
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port, receiveBuffer: 16 * 1024)
        #expect(peer.upgrade())
        peer.send(text: "flood:40")  // 2.5 MiB that the peer does not read yet
        #expect(server.waitForEvent("overflow true"))
        let lines = server.eventLines()
        #expect(lines.contains("writable false"))
        // Now read: the data that was queued, then the 1013 close.
        var binaries = 0
        var closeCode: WebSocketCloseCode?
        while let frame = peer.readFrame() {
            if frame.opcode == .binary { binaries += 1 }
            if frame.opcode == .close {
                closeCode = try WebSocketClosePayload.parse(frame.payload).code
                break
            }
        }
        #expect(closeCode == .tryAgainLater)
        #expect(binaries == 40)
        #expect(server.waitForEvent("writable true"))
    }

    // MARK: - Broadcast

    @Test func sharedFrameReachesConnectionsOnEveryLoop() throws {
        let group = try EventLoopGroup(loopCount: 3, logger: .silent)
        defer { group.shutdown() }
        let rooms = group.loops.map { loop in onLoop(loop) { LoopBound([WebSocketServerConnection](), eventLoop: loop) }! }
        let frames = Locked<[ObjectIdentifier]>([])
        final class Member: WebSocketServerDelegate {
            let rooms: [LoopBound<[WebSocketServerConnection]>]
            let frames: Locked<[ObjectIdentifier]>
            init(rooms: [LoopBound<[WebSocketServerConnection]>], frames: Locked<[ObjectIdentifier]>) {
                self.rooms = rooms
                self.frames = frames
            }
            func webSocketDidOpen(_ webSocket: WebSocketServerConnection) {
                rooms[webSocket.eventLoop.index].value.append(webSocket)
            }
            func webSocket(_ webSocket: WebSocketServerConnection, didReceiveText text: String) {
                let frame = WebSocketFrameEncoder.sharedTextFrame(text)
                let frames = self.frames
                for room in rooms {
                    room.eventLoop.execute {
                        for member in room.value {
                            frames.withLock { $0.append(ObjectIdentifier(frame)) }
                            member.send(frame: frame)
                        }
                    }
                }
            }
            func webSocket(_ webSocket: WebSocketServerConnection, didReceiveBinary bytes: [UInt8]) {}
            func webSocketDidClose(_ webSocket: WebSocketServerConnection, code: WebSocketCloseCode, reason: String) {}
        }
        var configuration = WebSocketServerConfiguration()
        configuration.http.listener.logger = .silent
        let server = try WebSocketServer(group: group, address: SocketAddress(host: "127.0.0.1", port: 0),
                                         configuration: configuration) { request in
            // Pin each connection to the loop its query names, as the server pins documents.
            let index = Int(request.head.query ?? "") ?? 0
            return .accept(targetLoop: group.loops[index % 3]) { _ in Member(rooms: rooms, frames: frames) }
        }
        defer { server.close() }
        var peers: [RawWebSocketPeer] = []
        for i in 0..<6 {
            let peer = try RawWebSocketPeer(port: server.localAddress.port)
            #expect(peer.upgrade(path: "/?\(i)"))
            peers.append(peer)
        }
        #expect(waitUntil { rooms.enumerated().allSatisfy { index, room in
            onLoop(room.eventLoop) { room.value.count == 2 && room.value.allSatisfy { $0.eventLoop.index == index } } == true
        } })
        peers[4].send(text: "to everyone")
        for (i, peer) in peers.enumerated() {
            let frame = peer.readDataFrame()
            #expect(frame?.payload == Array("to everyone".utf8), "peer \(i)")
        }
        #expect(frames.withLock { $0.count == 6 && Set($0).count == 1 })
    }

    // MARK: - TLS

    @Test func wssEchoOverTLS() throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let serverContext = try TLSContext(configuration: .server(
            certificateChainFile: certificate.certificatePath, privateKeyFile: certificate.privateKeyPath))
        let clientContext = try TLSContext(configuration: .client(
            verification: .certificateAuthorityFile(certificate.certificatePath)))
        let server = try WebSocketTestServer { $0.http.tls = serverContext }
        defer { server.shutdown() }
        let peer = try RawWebSocketPeer(port: server.port, tls: clientContext)
        #expect(peer.upgrade(path: "/secure"))
        peer.send(text: "over tls")
        #expect(peer.readDataFrame()?.payload == Array("over tls".utf8))
        let blob = [UInt8](repeating: 0xA5, count: 300_000)
        peer.send(.binary, blob)
        #expect(peer.readDataFrame()?.payload == blob)
        peer.send(.close, WebSocketClosePayload(code: .normalClosure).encoded())
        #expect(peer.readCloseCode() == .normalClosure)
        #expect(peer.waitForEnd())

        // A plaintext client on the TLS port gets no WebSocket.
        let plain = try RawWebSocketPeer(port: server.port)
        plain.sendUpgrade()
        #expect(plain.readResponse() == nil)
    }
}
