import CollabJSON
import CollabOT
import Testing
@testable import CollabServer

@Suite struct RoomPresenceTests {
    /// "hello world" at version 1, with A and B joined and their inboxes empty.
    func setUp() -> (Harness, Session, FakeClient, Session, FakeClient) {
        let harness = Harness()
        let (seeder, _) = harness.join("seeder01")
        seeder.sendOp(seq: 1, v: 0, #"["hello world"]"#)
        harness.store.commitAll()
        seeder.connectionClosed()
        let (a, aClient) = harness.join("clientAA", version: 1)
        let (b, bClient) = harness.join("clientBB", version: 1)
        _ = aClient.take()
        return (harness, a, aClient, b, bClient)
    }

    func selection(_ message: JSONValue?) -> [[Int]]? {
        message?["selection"]?.array?.map { $0.array?.compactMap(\.int) ?? [] }
    }

    @Test func broadcastAndKeptUpToDate() {
        let (harness, a, aClient, b, bClient) = setUp()
        a.send(#"{"type":"presence","v":1,"selection":[[6,11]]}"#)
        let seen = bClient.take()
        #expect(seen.count == 1)
        #expect(seen.first?.type == "presence")
        #expect(seen.first?["clientId"]?.string == "clientAA")
        #expect(seen.first?["v"]?.int == 1)
        #expect(selection(seen.first) == [[6, 11]])
        #expect(aClient.take().isEmpty)
        b.sendOp(seq: 1, v: 1, #"["XX"]"#)
        harness.store.commitAll()
        let (_, cClient) = harness.connect()
        let c = Session(room: harness.room, client: cClient, identity: .anonymous,
                        openOrder: harness.nextOpenOrder())
        c.send(#"{"type":"join","clientId":"clientCC","version":2}"#)
        let listed = cClient.take().last?["presence"]?.array ?? []
        #expect(listed.map { $0["clientId"]?.string } == ["clientAA", "clientBB"])
        #expect(listed.first?["v"]?.int == 2)
        #expect(selection(listed.first) == [[8, 13]])
        #expect(listed.last?["selection"] == .null)
    }

    @Test func incomingTransformedFromItsVersionAndClamped() {
        let (harness, a, _, b, bClient) = setUp()
        a.sendOp(seq: 1, v: 1, #"["ab"]"#)
        harness.store.commitAll()
        _ = bClient.take()
        harness.clock.advance(by: .seconds(1))
        // At v 1: a cursor at 0 is where "ab" went in, so it moves after it; 50 clamps to 11.
        b.send(#"{"type":"presence","v":1,"selection":[[0,0],[5,50]]}"#)
        _ = b
        let aView = harness.room.sessions.first { $0.clientId == "clientBB" }?.selection
        #expect(aView == Selection([SelectionRange(cursor: 2), SelectionRange(anchor: 7, head: 13)]))
        a.send(#"{"type":"presence","v":2,"selection":[[99,1]]}"#)
        let seen = bClient.take()
        #expect(seen.first?["v"]?.int == 2)
        #expect(selection(seen.first) == [[13, 1]])
    }

    @Test func versionAheadIsBadMessageEvenIfApplied() {
        let (harness, a, aClient, b, bClient) = setUp()
        b.sendOp(seq: 1, v: 1, #"["x"]"#)  // applied, not durable
        a.send(#"{"type":"presence","v":2,"selection":[[0,0]]}"#)
        #expect(aClient.take().map { errorOf($0)?.code } == ["bad_message"])
        #expect(bClient.take().isEmpty)
        harness.store.commitAll()
        _ = bClient.take()
        a.send(#"{"type":"presence","v":2,"selection":[[0,0]]}"#)
        #expect(selection(bClient.take().first) == [[0, 0]])
    }

    @Test func goneVersionIsDroppedSilently() {
        var configuration = RoomConfiguration()
        configuration.recentOpsWindow = 1
        let harness = Harness(configuration: configuration)
        let (a, aClient) = harness.join("clientAA")
        let (_, bClient) = harness.join("clientBB")
        for seq in 1...5 {
            a.sendOp(seq: seq, v: seq - 1, #"["x"]"#)
            harness.store.commitAll()
        }
        harness.store.prunedBelow = 2
        _ = (aClient.take(), bClient.take())
        a.send(#"{"type":"presence","v":1,"selection":[[1,1]]}"#)
        #expect(aClient.take().isEmpty)
        #expect(bClient.take().isEmpty)
        a.send(#"{"type":"presence","v":3,"selection":[[1,1]]}"#)
        #expect(selection(bClient.take().first) == [[3, 3]])
    }

    @Test func coalescedButLatestWithin100ms() {
        let (harness, a, _, _, bClient) = setUp()
        a.send(#"{"type":"presence","v":1,"selection":[[1,1]]}"#)
        #expect(selection(bClient.take().first) == [[1, 1]])
        harness.clock.advance(by: .milliseconds(10))
        a.send(#"{"type":"presence","v":1,"selection":[[2,2]]}"#)
        harness.clock.advance(by: .milliseconds(10))
        a.send(#"{"type":"presence","v":1,"selection":[[3,3]]}"#)
        #expect(bClient.take().isEmpty)
        harness.clock.advance(by: .milliseconds(29))
        #expect(bClient.take().isEmpty)
        harness.clock.advance(by: .milliseconds(1))
        #expect(bClient.take().map { selection($0) } == [[[3, 3]]])
        harness.clock.advance(by: .milliseconds(200))
        a.send(#"{"type":"presence","v":1,"selection":null}"#)
        let now = bClient.take()
        #expect(now.count == 1)
        #expect(now.first?["selection"] == .null)
    }

    @Test func atMostTwentyASecond() {
        let (harness, a, _, _, bClient) = setUp()
        var lastSentAt = 0
        var delivered: [(at: Int, position: Int)] = []
        for step in 0..<100 {
            a.send("{\"type\":\"presence\",\"v\":1,\"selection\":[[\(step % 12),\(step % 12)]]}")
            lastSentAt = step * 10
            for message in bClient.take() {
                delivered.append((step * 10, message["selection"]?.array?.first?.array?.first?.int ?? -1))
            }
            harness.clock.advance(by: .milliseconds(10))
        }
        harness.clock.advance(by: .milliseconds(100))
        for message in bClient.take() {
            delivered.append((1_000, message["selection"]?.array?.first?.array?.first?.int ?? -1))
        }
        #expect(delivered.count <= 21)
        #expect(delivered.count >= 19)
        #expect(delivered.last?.position == 99 % 12)
        #expect(lastSentAt == 990)
    }

    @Test func viewerMaySendPresence() {
        let (harness, _, aClient, _, _) = setUp()
        let (viewer, viewerClient) = harness.join("viewer01", version: 1,
                                                   identity: SessionIdentity(sub: "v", name: nil, role: .viewer))
        _ = aClient.take()
        viewer.send(#"{"type":"presence","v":1,"selection":[[4,4]]}"#)
        #expect(viewerClient.take().isEmpty)
        #expect(selection(aClient.take().first) == [[4, 4]])
    }

    @Test func leaveCancelsPendingPresence() {
        let (harness, a, _, _, bClient) = setUp()
        a.send(#"{"type":"presence","v":1,"selection":[[1,1]]}"#)
        a.send(#"{"type":"presence","v":1,"selection":[[2,2]]}"#)
        a.connectionClosed()
        harness.clock.advance(by: .seconds(1))
        #expect(bClient.take().map(\.type) == ["presence", "leave"])
        #expect(harness.clock.pendingTimerCount == 0)
    }
}
