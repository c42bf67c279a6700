import Testing
@testable import CollabTransport

@Suite struct WebSocketConnectionStateMachineTests {
    typealias Action = WebSocketConnectionStateMachine.Action
    let t0 = ContinuousClock.now
    let server = WebSocketFrameEncoder(role: .server)

    func machine(_ role: WebSocketRole = .server, maxMessageSize: Int = 1 << 20) -> WebSocketConnectionStateMachine {
        WebSocketConnectionStateMachine(role: role, configuration: WebSocketConfiguration(maxMessageSize: maxMessageSize), now: t0)
    }

    /// The close frame bytes the server would write for the first `.sendClose` in `actions`.
    func closeBytes(_ actions: [Action]) -> [UInt8]? {
        for case .sendClose(let code, let reason) in actions { return server.encodeClose(code: code, reason: reason) }
        return nil
    }

    @Test func oversizedHeaderYieldsExactCloseFrame() {
        var m = machine(maxMessageSize: 16384)
        let actions = m.bytesReceived([0x81, 0xFE, 0x40, 0x01], now: t0)
        #expect(actions == [.sendClose(.messageTooBig, reason: ""), .closeTCP])
        #expect(closeBytes(actions) == [0x88, 0x02, 0x03, 0xF1])
        #expect(m.isClosed)
        #expect(m.bytesReceived(clientFrame(.text, [0x41]), now: t0) == [])
    }

    @Test(arguments: [
        ([0x81, 0x00], 1002),                                       // unmasked from a client
        ([0xC1, 0x80, 1, 2, 3, 4], 1002),                           // RSV1
        ([0x83, 0x80, 1, 2, 3, 4], 1002),                           // unknown opcode
        ([0x89, 0xFE, 0x00, 0x7E], 1002),                           // ping over 125
        ([0x80, 0x80, 1, 2, 3, 4], 1002),                           // continuation first
        ([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], 1002),            // 64-bit MSB
        ([0x81, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 1], 1009),            // 1 MiB + 1
    ] as [([UInt8], UInt16)])
    func protocolErrorsCloseWithTheirCode(bytes: [UInt8], code: UInt16) {
        var m = machine()
        let actions = m.bytesReceived(bytes, now: t0)
        #expect(actions == [.sendClose(WebSocketCloseCode(rawValue: code), reason: ""), .closeTCP])
        #expect(closeBytes(actions) == [0x88, 0x02, UInt8(code >> 8), UInt8(code & 0xFF)])
    }

    @Test func invalidUTF8Closes1007() {
        var m = machine()
        let actions = m.bytesReceived(clientFrame(.text, [0x41, 0xED, 0xA0, 0x80]), now: t0)
        #expect(closeBytes(actions) == [0x88, 0x02, 0x03, 0xEF])
        #expect(actions.last == .closeTCP)
    }

    @Test func pingInterleavedInFragmentsIsAnsweredAtOnce() {
        var m = machine()
        var actions = m.bytesReceived(clientFrame(.text, Array("Hel".utf8), fin: false) + clientFrame(.ping, [1, 2]), now: t0)
        #expect(actions == [.sendPong([1, 2])])
        actions = m.bytesReceived(clientFrame(.continuation, Array("lo".utf8)) + clientFrame(.binary, [9]), now: t0)
        #expect(actions == [.deliverText("Hello"), .deliverBinary([9])])
    }

    @Test func peerInitiatedCloseIsEchoedAndServerClosesTCP() {
        var m = machine()
        let actions = m.bytesReceived(clientFrame(.close, WebSocketClosePayload(code: .goingAway, reason: "bye").encoded()), now: t0)
        #expect(actions == [.deliverClose(.goingAway, reason: "bye"), .sendClose(.goingAway, reason: ""), .closeTCP])
        #expect(m.isClosed && !m.isOpen)
        #expect(m.send(.text("late")) == [])
    }

    @Test func emptyCloseIsReported1005AndAnswered1000() {
        var m = machine()
        let actions = m.bytesReceived(clientFrame(.close, []), now: t0)
        #expect(actions == [.deliverClose(.noStatusReceived, reason: ""), .sendClose(.normalClosure, reason: ""), .closeTCP])
    }

    @Test(arguments: [
        ([0x03], 1002), ([0x03, 0xE7], 1002) /* 999 */, ([0x03, 0xEC], 1002) /* 1004 */,
        ([0x03, 0xED], 1002) /* 1005 */, ([0x03, 0xEE], 1002) /* 1006 */, ([0x03, 0xF7], 1002) /* 1015 */,
        ([0x03, 0xF8], 1002) /* 1016 */, ([0x0B, 0xB7], 1002) /* 2999 */, ([0x13, 0x88], 1002) /* 5000 */,
        ([0x03, 0xE8, 0xFF], 1007), ([0x03, 0xE8, 0xC3], 1007),
    ] as [([UInt8], UInt16)])
    func invalidCloseFrames(payload: [UInt8], code: UInt16) {
        var m = machine()
        let actions = m.bytesReceived(clientFrame(.close, payload), now: t0)
        #expect(actions == [.sendClose(WebSocketCloseCode(rawValue: code), reason: ""), .closeTCP])
    }

    @Test(arguments: [1000, 1003, 1007, 1011, 1014, 3000, 4000, 4409, 4999] as [UInt16])
    func validCloseCodesAreEchoed(code: UInt16) {
        var m = machine()
        let c = WebSocketCloseCode(rawValue: code)
        let actions = m.bytesReceived(clientFrame(.close, WebSocketClosePayload(code: c).encoded()), now: t0)
        #expect(actions == [.deliverClose(c, reason: ""), .sendClose(c, reason: ""), .closeTCP])
    }

    @Test func serverInitiatedCloseWaitsForTheEcho() {
        var m = machine()
        #expect(m.close(code: .versionAhead, reason: "version_ahead")
                == [.sendClose(.versionAhead, reason: "version_ahead"), .startCloseTimer(.seconds(5))])
        #expect(!m.isOpen && !m.isClosed)
        #expect(m.close(code: .normalClosure) == [])
        #expect(m.send(.text("x")) == [])
        // Data still in flight from the peer is delivered; pings are not answered after our close.
        #expect(m.bytesReceived(clientFrame(.text, [0x41]) + clientFrame(.ping, []), now: t0) == [.deliverText("A")])
        #expect(m.bytesReceived(clientFrame(.close, WebSocketClosePayload(code: .versionAhead).encoded()), now: t0)
                == [.deliverClose(.versionAhead, reason: ""), .closeTCP])
        #expect(m.isClosed)
    }

    @Test func closeTimeoutClosesTCP() {
        var m = machine()
        _ = m.close(code: .goingAway)
        #expect(m.closeTimerFired() == [.closeTCP])
        #expect(m.isClosed)
        var open = machine()
        #expect(open.closeTimerFired() == [])
    }

    @Test func clientLetsTheServerCloseTCPFirst() {
        var m = machine(.client)
        let actions = m.bytesReceived(serverFrame(.close, WebSocketClosePayload(code: .normalClosure).encoded()), now: t0)
        #expect(actions == [.deliverClose(.normalClosure, reason: ""), .sendClose(.normalClosure, reason: ""),
                            .startCloseTimer(.seconds(5))])
        #expect(m.closeTimerFired() == [.closeTCP])
        var c = machine(.client)
        _ = c.close(code: .normalClosure)
        #expect(c.bytesReceived(serverFrame(.close, WebSocketClosePayload(code: .normalClosure).encoded()), now: t0)
                == [.deliverClose(.normalClosure, reason: "")])
        #expect(c.inputClosed() == [])
    }

    @Test func heartbeatPingsThenClosesAfterTwoSilentIntervals() {
        var m = machine()
        #expect(m.heartbeatTimerFired(now: t0 + .seconds(30)) == [.sendPing([]), .scheduleHeartbeat(.seconds(30))])
        #expect(m.heartbeatTimerFired(now: t0 + .seconds(59)) == [.scheduleHeartbeat(.seconds(1))])
        let actions = m.heartbeatTimerFired(now: t0 + .seconds(60))
        #expect(actions == [.sendClose(.goingAway, reason: ""), .closeTCP])
        #expect(closeBytes(actions) == [0x88, 0x02, 0x03, 0xE9])
        #expect(m.heartbeatTimerFired(now: t0 + .seconds(90)) == [])
    }

    @Test func pongCountsAsTraffic() {
        var m = machine()
        _ = m.heartbeatTimerFired(now: t0 + .seconds(30))
        #expect(m.bytesReceived(clientFrame(.pong, []), now: t0 + .seconds(31)) == [])
        // Silence is measured from the pong: the deadline moves to 31 + 60 = 91 s.
        #expect(m.heartbeatTimerFired(now: t0 + .seconds(60)) == [.sendPing([]), .scheduleHeartbeat(.seconds(30))])
        #expect(m.heartbeatTimerFired(now: t0 + .seconds(90)) == [.sendPing([]), .scheduleHeartbeat(.seconds(1))])
        #expect(m.heartbeatTimerFired(now: t0 + .seconds(91)) == [.sendClose(.goingAway, reason: ""), .closeTCP])
    }

    @Test func partialFrameBytesCountAsTraffic() {
        var m = machine()
        #expect(m.bytesReceived([0x81], now: t0 + .seconds(50)) == [])
        #expect(m.heartbeatTimerFired(now: t0 + .seconds(60)) == [.sendPing([]), .scheduleHeartbeat(.seconds(30))])
    }

    @Test func sendWhileOpen() {
        var m = machine()
        #expect(m.send(.binary([1])) == [.sendMessage(.binary([1]))])
        #expect(m.inputClosed() == [.closeTCP])
        #expect(m.send(.binary([1])) == [])
    }

    @Test func closePayloadEncodingCutsReasonAtAScalarBoundary() throws {
        let reason = String(repeating: "a", count: 122) + "é"   // 124 bytes
        let bytes = WebSocketClosePayload(code: .normalClosure, reason: reason).encoded()
        #expect(bytes.count == 2 + 122)
        #expect(try WebSocketClosePayload.parse(bytes) == WebSocketClosePayload(code: .normalClosure, reason: String(repeating: "a", count: 122)))
        #expect(server.encodeClose(code: nil) == [0x88, 0x00])
        #expect(server.encodeClose(code: .tokenExpired, reason: "exp") == [0x88, 0x05, 0x11, 0x31, 0x65, 0x78, 0x70])
    }

    @Test func clientEncoderMasksWithAFreshKey() {
        let client = WebSocketFrameEncoder(role: .client)
        let a = client.encode(opcode: .text, payload: Array("hello".utf8))
        #expect(a[0] == 0x81 && a[1] == 0x85 && a.count == 11)
        var decoder = WebSocketFrameDecoder(role: .server)
        decoder.append(a)
        #expect((try? decoder.next()) == WebSocketFrame(opcode: .text, payload: Array("hello".utf8)))
    }
}
