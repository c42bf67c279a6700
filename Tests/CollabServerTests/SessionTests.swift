import CollabJSON
import CollabTransport
import Testing
@testable import CollabServer

@Suite struct SessionTests {
    @Test func pingPong() {
        let harness = Harness()
        let (session, client) = harness.join("abcdefgh")
        session.send(#"{"type":"ping","id":7}"#)
        session.send(#"{"type":"ping","id":{"a":[1,"x"]}}"#)
        session.send(#"{"type":"ping"}"#)
        #expect(client.frames.suffix(3).map(FakeClient.payloadText)
            == [#"{"type":"pong","id":7}"#, #"{"type":"pong","id":{"a":[1,"x"]}}"#, #"{"type":"pong"}"#])
    }

    @Test func binaryFrameIsBadMessage() {
        let harness = Harness()
        let (session, client) = harness.join("abcdefgh")
        session.receiveBinary()
        #expect(client.take().map { errorOf($0)?.code } == ["bad_message"])
        #expect(session.isJoined)
    }

    @Test func tooManyBadMessagesClose1008() {
        let harness = Harness()
        let (session, client) = harness.join("abcdefgh")
        for _ in 0..<18 { session.send("{") }
        session.sendOp(seq: 1, v: 0, "[]")  // bad_op counts too
        #expect(client.closeCode == nil)
        harness.clock.advance(by: .seconds(60))
        // The first 19 are out of the window now.
        session.send("{")
        #expect(client.closeCode == nil)
        for _ in 0..<18 { session.send("{") }
        #expect(client.closeCode == nil)
        session.send(#"{"type":"nope"}"#)
        #expect(client.closeCode == .policyViolation)
        #expect(harness.room.participantCount == 0)
        let count = client.frames.count
        session.send("{")
        #expect(client.frames.count == count)
    }

    @Test func badMessagesBeforeJoinCountToo() {
        let harness = Harness()
        let (session, client) = harness.connect()
        for _ in 0..<20 { session.send("x") }
        #expect(client.closeCode == .policyViolation)
        #expect(harness.clock.pendingTimerCount == 0)
    }

    @Test func slowConsumerClosed1013() {
        var configuration = RoomConfiguration()
        configuration.maxQueuedBytes = 1_000
        let harness = Harness(configuration: configuration)
        let (a, aClient) = harness.join("clientAA")
        let (_, bClient) = harness.join("clientBB")
        _ = aClient.take()
        bClient.queuedBytes = 1_001
        a.sendOp(seq: 1, v: 0, #"["x"]"#)
        harness.store.commitAll()
        #expect(bClient.closeCode == .tryAgainLater)
        #expect(aClient.take().map(\.type) == ["ack", "leave"])
        #expect(harness.room.participantCount == 1)
    }

    @Test func closedBeforeJoinCancelsTimer() {
        let harness = Harness()
        let (session, client) = harness.connect()
        session.connectionClosed()
        harness.clock.advance(by: .seconds(11))
        #expect(client.closeCode == nil)
        #expect(harness.clock.pendingTimerCount == 0)
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(client.frames.isEmpty)
    }

    @Test func closeAllSendsNoLeave() {
        let harness = Harness()
        let (_, aClient) = harness.join("clientAA")
        let (_, bClient) = harness.join("clientBB")
        _ = aClient.take()
        harness.room.closeAll(code: .goingAway, reason: "shutdown")
        #expect(aClient.closeCode == .goingAway)
        #expect(bClient.closeCode == .goingAway)
        #expect(aClient.take().isEmpty)
        #expect(harness.room.participantCount == 0)
    }
}
