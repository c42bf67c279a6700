import CollabJSON
import CollabOT
import CollabTransport
import Testing
@testable import CollabServer

@Suite struct RoomOpTests {
    /// A room holding `text` at version 1 (one durable op by "seeder01"), with clients A and B joined.
    func setUp(_ text: String = "hello world", configuration: RoomConfiguration = RoomConfiguration())
        -> (Harness, Session, FakeClient, Session, FakeClient) {
        let harness = Harness(configuration: configuration)
        if !text.isEmpty {
            let (seeder, _) = harness.join("seeder01")
            seeder.sendOp(seq: 1, v: 0, "[\"\(text)\"]")
            harness.store.commitAll()
            seeder.connectionClosed()
        }
        let (a, aClient) = harness.join("clientAA", version: text.isEmpty ? 0 : 1)
        let (b, bClient) = harness.join("clientBB", version: text.isEmpty ? 0 : 1)
        _ = aClient.take()
        return (harness, a, aClient, b, bClient)
    }

    @Test func ackAndBroadcastOnlyWhenDurable() {
        let (harness, a, aClient, _, bClient) = setUp()
        a.sendOp(seq: 1, v: 1, #"[6,{"d":5},"there"]"#)
        #expect(aClient.take().isEmpty)
        #expect(bClient.take().isEmpty)
        #expect(harness.store.pendingRecordCount == 1)
        #expect(harness.room.durableVersion == 1)
        harness.store.commitNext()
        #expect(aClient.take().map { FakeClient.payloadText(ServerMessage.frame(payload: $0.encoded())) }
            == [#"{"type":"ack","seq":1,"v":1}"#])
        let records = bClient.take()
        #expect(records.count == 1)
        #expect(records.first == (try? JSONReader.parse(
            #"{"type":"op","v":1,"op":[6,"there",{"d":5}],"clientId":"clientAA","seq":1,"user":"anon-clientAA","ts":1763800000000}"#)))
        #expect(harness.text == "hello there")
        let stored = harness.store.ops["doc"]?.last
        #expect(stored.map { String(decoding: $0.operationJSON, as: UTF8.self) } == #"[6,"there",{"d":5}]"#)
        #expect(stored.map { String(decoding: $0.deletedTextsJSON, as: UTF8.self) } == #"["world"]"#)
    }

    @Test func concurrentOpsTransformAndFirstCommittedWinsTies() {
        let (harness, a, aClient, b, bClient) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"[1,"X"]"#)
        b.sendOp(seq: 1, v: 1, #"[1,"Y",{"d":1}]"#)
        harness.store.commitAll()
        #expect(harness.text == "aXYc")
        #expect(harness.room.durableVersion == 3)
        // A: ack, then B's op transformed over A's.
        let aMessages = aClient.take()
        #expect(aMessages.map(\.type) == ["ack", "op"])
        #expect(aMessages.last?["op"] == (try? JSONReader.parse(#"[2,"Y",{"d":1}]"#)))
        #expect(aMessages.last?["v"]?.int == 2)
        let bMessages = bClient.take()
        #expect(bMessages.map(\.type) == ["op", "ack"])
        #expect(bMessages.last?["v"]?.int == 2)
    }

    /// The room's observable state, to show a rejected op changed nothing.
    func state(_ harness: Harness) -> [String] {
        [harness.text, "\(harness.room.headVersion)", "\(harness.room.durableVersion)",
         "\(harness.store.pendingRecordCount)", "\(harness.store.ops["doc"]?.count ?? 0)"]
    }

    @Test(arguments: [
        (#"{"type":"op","seq":1,"v":-1,"op":["x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":"1","op":["x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1.0,"op":["x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"op":["x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[3]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[0,"x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[-1,"x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[1.5,"x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[1e0,"x"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[""]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[{"d":0}]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[{"d":1,"x":2}]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[true]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":"x"}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":["a\ud800"]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[3,{"d":1}]}"#, "bad_op"),
        (#"{"type":"op","seq":1,"v":1,"op":[4,"x"]}"#, "bad_op"),
        (#"{"type":"op","seq":2,"v":0,"op":["x"]}"#, "op_in_flight"),
    ])
    func rejectedOpChangesNothing(message: String, code: String) {
        let (harness, a, aClient, _, bClient) = setUp("abc")
        // clientAA never stored an op, so v 0 is fine for it; use the seeder's id for op_in_flight.
        let session: Session
        let client: FakeClient
        if code == "op_in_flight" {
            (session, client) = harness.join("seeder01", version: 1)
        } else {
            (session, client) = (a, aClient)
        }
        _ = bClient.take()
        let before = state(harness)
        session.send(message)
        harness.store.commitAll()
        let answer = client.take()
        #expect(answer.count == 1)
        #expect(errorOf(answer.first)?.code == code)
        #expect(errorOf(answer.first)?.seq == (try? JSONReader.parse(message))?["seq"]?.int)
        #expect(state(harness) == before)
        #expect(bClient.take().isEmpty)
        #expect(client.closeCode == nil)
    }

    @Test func lengthIsCheckedAtV() {
        let (harness, a, aClient, b, _) = setUp("abc")
        b.sendOp(seq: 1, v: 1, #"[{"d":3}]"#)
        harness.store.commitAll()
        // Valid against "abc" (v 1) though the document is now empty.
        a.sendOp(seq: 1, v: 1, #"[3,"x"]"#)
        harness.store.commitAll()
        #expect(harness.text == "x")
        #expect(aClient.take().map(\.type) == ["op", "ack"])
        a.sendOp(seq: 2, v: 3, #"[2,"y"]"#)
        let answer = aClient.take()
        #expect(errorOf(answer.first)?.code == "bad_op")
        #expect(answer.first?["message"]?.string?.contains("past end") == true)
    }

    @Test func viewerIsForbiddenButStoredCheckComesFirst() {
        let harness = Harness()
        let editor = SessionIdentity(sub: "ada", name: nil, role: .editor)
        let viewer = SessionIdentity(sub: "ada", name: nil, role: .viewer)
        let (writer, _) = harness.join("abcdefgh", identity: editor)
        writer.sendOp(seq: 1, v: 0, #"["x"]"#)
        harness.store.commitAll()
        let (session, client) = harness.join("abcdefgh", version: 1, identity: viewer)
        session.sendOp(seq: 1, v: 0, #"["x"]"#)
        #expect(client.take().map { $0["type"]?.string } == ["ack"])
        session.sendOp(seq: 2, v: 1, #"["x"]"#)
        let answer = client.take()
        #expect(errorOf(answer.first)?.code == "forbidden")
        #expect(errorOf(answer.first)?.seq == 2)
        #expect(harness.room.headVersion == 1)
    }

    @Test func opInFlightWhileUnacknowledged() {
        let (harness, a, aClient, _, _) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        a.sendOp(seq: 2, v: 1, #"["y"]"#)
        let answer = aClient.take()
        #expect(errorOf(answer.first)?.code == "op_in_flight")
        #expect(errorOf(answer.first)?.seq == 2)
        harness.store.commitAll()
        #expect(aClient.take().map(\.type) == ["ack"])
        // v 1 is the version the previous op was stored as: made without seeing the ack.
        a.sendOp(seq: 2, v: 1, #"["y"]"#)
        #expect(errorOf(aClient.take().first)?.code == "op_in_flight")
        a.sendOp(seq: 2, v: 2, #"["y"]"#)
        harness.store.commitAll()
        #expect(aClient.take().map(\.type) == ["ack"])
        #expect(harness.text == "yxabc")
    }

    @Test func seqBackwardsIsBadMessage() {
        let (harness, a, aClient, _, _) = setUp("abc")
        a.sendOp(seq: 5, v: 1, #"["x"]"#)
        harness.store.commitAll()
        _ = aClient.take()
        a.sendOp(seq: 3, v: 2, #"["y"]"#)
        let answer = aClient.take()
        #expect(errorOf(answer.first)?.code == "bad_message")
        #expect(errorOf(answer.first)?.seq == 3)
        // Gaps forward are fine.
        a.sendOp(seq: 9, v: 2, #"["y"]"#)
        harness.store.commitAll()
        #expect(aClient.take().first?["seq"]?.int == 9)
    }

    @Test func versionAheadClosesWith4409() {
        let (harness, a, aClient, _, bClient) = setUp("abc")
        a.sendOp(seq: 1, v: 2, #"["x"]"#)
        let answer = aClient.take()
        #expect(errorOf(answer.first)?.code == "version_ahead")
        #expect(errorOf(answer.first)?.seq == 1)
        #expect(aClient.closeCode == .versionAhead)
        #expect(harness.room.participantCount == 1)
        #expect(bClient.take().map(\.type) == ["leave"])
    }

    @Test func versionAheadOfDurableEvenIfApplied() {
        let (harness, a, aClient, b, _) = setUp("abc")
        b.sendOp(seq: 1, v: 1, #"["x"]"#)
        #expect(harness.room.headVersion == 2)
        a.sendOp(seq: 1, v: 2, #"["y"]"#)
        #expect(errorOf(aClient.take().first)?.code == "version_ahead")
    }

    @Test func versionGoneClosesWith4410() {
        var configuration = RoomConfiguration()
        configuration.recentOpsWindow = 1
        let (harness, a, aClient, b, bClient) = setUp("abc", configuration: configuration)
        for seq in 1...6 {
            b.sendOp(seq: seq, v: seq, #"["x"]"#)
            harness.store.commitAll()
        }
        _ = bClient.take()
        harness.store.prunedBelow = 3
        _ = aClient.take()
        a.sendOp(seq: 1, v: 2, #"["y"]"#)
        let answer = aClient.take()
        #expect(errorOf(answer.first)?.code == "version_gone")
        #expect(aClient.closeCode == .versionGone)
        // Not pruned: transformed over ops read from the store.
        let (c, cClient) = harness.join("clientCC", version: 7)
        c.sendOp(seq: 1, v: 3, #"[1,"z"]"#)
        harness.store.commitAll()
        #expect(cClient.take().map(\.type) == ["ack"])
        #expect(harness.text == "xxxxxzxabc")
    }

    @Test func rateLimit() {
        var configuration = RoomConfiguration()
        configuration.opBurst = 3
        configuration.opsPerSecond = 1
        configuration.rateLimitStrikes = 3
        let (harness, a, aClient, _, _) = setUp("abc", configuration: configuration)
        var version = 1
        for seq in 1...3 {
            a.sendOp(seq: seq, v: version, #"["x"]"#)
            harness.store.commitAll()
            #expect(aClient.take().map(\.type) == ["ack"])
            version += 1
        }
        a.sendOp(seq: 4, v: version, #"["x"]"#)
        let answer = aClient.take()
        #expect(errorOf(answer.first)?.code == "rate_limited")
        #expect(errorOf(answer.first)?.seq == 4)
        #expect(harness.room.headVersion == version)
        harness.clock.advance(by: .seconds(1))
        a.sendOp(seq: 4, v: version, #"["x"]"#)
        harness.store.commitAll()
        #expect(aClient.take().map(\.type) == ["ack"])
        version += 1
        // Repeatedly over the limit (3 times in the window, counting the first): 4429.
        a.sendOp(seq: 5, v: version, #"["x"]"#)
        #expect(aClient.closeCode == nil)
        a.sendOp(seq: 5, v: version, #"["x"]"#)
        #expect(aClient.take().compactMap { errorOf($0)?.code } == ["rate_limited", "rate_limited"])
        #expect(aClient.closeCode == .rateLimited)
    }

    @Test func tooLarge() {
        var configuration = RoomConfiguration()
        configuration.maxDocumentBytes = 10
        let (harness, a, aClient, _, _) = setUp("abcdefgh", configuration: configuration)
        a.sendOp(seq: 1, v: 1, #"["éé"]"#)  // 8 + 4 bytes
        let answer = aClient.take()
        #expect(errorOf(answer.first)?.code == "too_large")
        #expect(errorOf(answer.first)?.seq == 1)
        #expect(harness.room.headVersion == 1)
        a.sendOp(seq: 1, v: 1, #"[{"d":2},"é"]"#)  // 6 + 2 bytes
        harness.store.commitAll()
        #expect(aClient.take().map(\.type) == ["ack"])
        a.sendOp(seq: 2, v: 2, #"["xy"]"#)  // exactly 10
        harness.store.commitAll()
        #expect(aClient.take().map(\.type) == ["ack"])
        #expect(harness.text == "xyécdefgh")
    }

    @Test func opEmptiedByTransformIsStoredAndAcked() {
        let (harness, a, aClient, b, bClient) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"[1,{"d":1}]"#)
        b.sendOp(seq: 1, v: 1, #"[1,{"d":1}]"#)
        harness.store.commitAll()
        #expect(harness.text == "ac")
        let bMessages = bClient.take()
        #expect(bMessages.map(\.type) == ["op", "ack"])
        #expect(bMessages.last?["v"]?.int == 2)
        let aMessages = aClient.take()
        #expect(aMessages.last?["op"] == .array([]))
        #expect(harness.store.ops["doc"]?.last.map { String(decoding: $0.operationJSON, as: UTF8.self) } == "[]")
    }

    @Test func resubmissionWhileCommittingAcksOnce() {
        let (harness, a, aClient, _, bClient) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        a.sendOp(seq: 1, v: 1, #"["something else"]"#)
        #expect(aClient.take().isEmpty)
        harness.store.commitAll()
        #expect(aClient.take().map { [$0.type, "\($0["seq"]?.int ?? -1)", "\($0["v"]?.int ?? -1)"] } == [["ack", "1", "1"]])
        #expect(bClient.take().count == 1)
        #expect(harness.text == "xabc")
        #expect(harness.store.ops["doc"]?.count == 2)
    }

    @Test func resubmissionAfterCommitAcksOriginal() {
        let (harness, a, aClient, b, _) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        harness.store.commitAll()
        b.sendOp(seq: 1, v: 1, #"["y"]"#)
        harness.store.commitAll()
        _ = aClient.take()
        a.sendOp(seq: 1, v: 3, #"["zzz"]"#)
        #expect(aClient.take().map { [$0.type, "\($0["v"]?.int ?? -1)"] } == [["ack", "1"]])
        #expect(harness.store.ops["doc"]?.count == 3)
        #expect(harness.store.pending.isEmpty)
    }

    @Test func resubmissionAfterRestartLooksUpTheStore() {
        var configuration = RoomConfiguration()
        configuration.recentOpsWindow = 1
        let (harness, a, aClient, b, _) = setUp("abc", configuration: configuration)
        a.sendOp(seq: 7, v: 1, #"["x"]"#)
        harness.store.commitAll()
        for seq in 1...4 {
            b.sendOp(seq: seq, v: seq + 1, #"["y"]"#)
            harness.store.commitAll()
        }
        _ = aClient.take()
        harness.restart()
        let (again, client) = harness.join("clientAA", version: 6)
        again.sendOp(seq: 7, v: 1, #"["x"]"#)
        #expect(client.take().map { [$0.type, "\($0["seq"]?.int ?? -1)", "\($0["v"]?.int ?? -1)"] } == [["ack", "7", "1"]])
        again.sendOp(seq: 6, v: 6, #"["x"]"#)
        #expect(errorOf(client.take().first)?.code == "bad_message")
        again.sendOp(seq: 8, v: 1, #"["x"]"#)
        #expect(errorOf(client.take().first)?.code == "op_in_flight")
        again.sendOp(seq: 8, v: 2, #"["x"]"#)
        harness.store.commitAll()
        #expect(client.take().map(\.type) == ["ack"])
        #expect(harness.store.ops["doc"]?.count == 7)
    }

    @Test func replacedConnectionsOpStillCommitsAndAcksTheNewOne() {
        let (harness, a, aClient, _, bClient) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        let (again, client) = harness.connect()
        again.send(#"{"type":"join","clientId":"clientAA","version":1}"#)
        #expect(aClient.closeCode == .replaced)
        // Joined at the durable version: the pending op is not in the answer.
        #expect(client.take().map { [$0.type, "\($0["version"]?.int ?? -1)"] } == [["joined", "1"]])
        // Its next op is in flight until the old one is durable; a resubmission waits.
        again.sendOp(seq: 2, v: 1, #"["y"]"#)
        #expect(errorOf(client.take().first)?.code == "op_in_flight")
        again.sendOp(seq: 1, v: 1, #"["x"]"#)
        #expect(client.take().isEmpty)
        harness.store.commitAll()
        #expect(client.take().map { [$0.type, "\($0["seq"]?.int ?? -1)", "\($0["v"]?.int ?? -1)"] } == [["ack", "1", "1"]])
        #expect(bClient.take().map(\.type) == ["presence", "op"])
        #expect(harness.store.ops["doc"]?.count == 2)
    }

    @Test func catchUpRecordIsTheAckAfterReconnect() {
        let (harness, a, aClient, _, _) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        a.connectionClosed()
        harness.store.commitAll()
        #expect(aClient.take().isEmpty)
        let (session, fresh) = harness.connect()
        session.send(#"{"type":"join","clientId":"clientAA","version":1}"#)
        let answer = fresh.take()
        #expect(answer.map(\.type) == ["ops", "joined"])
        let record = answer.first?["ops"]?.array?.first
        #expect(record?["clientId"]?.string == "clientAA")
        #expect(record?["seq"]?.int == 1)
    }

    @Test func joinerDuringPendingCommitSeesOnlyDurableState() {
        let (harness, a, _, b, _) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"[3,"X"]"#)   // in the outstanding append
        b.sendOp(seq: 1, v: 1, #"[{"d":1}]"#)  // queued behind it
        #expect(harness.room.headVersion == 3)
        let (_, snapshotClient) = harness.connect()
        let (late, lateClient) = harness.connect()
        let joiner = Session(room: harness.room, client: snapshotClient, identity: .anonymous,
                             openOrder: harness.nextOpenOrder())
        joiner.send(#"{"type":"join","clientId":"joiner01"}"#)
        late.send(#"{"type":"join","clientId":"joiner02","version":0}"#)
        let snapshot = snapshotClient.take()
        #expect(snapshot.map(\.type) == ["snapshot", "joined", "presence"])
        #expect(snapshot.first?["text"]?.string == "abc")
        #expect(snapshot.first?["version"]?.int == 1)
        #expect(snapshot[1]["version"]?.int == 1)
        let replay = lateClient.take()
        #expect(replay.map(\.type) == ["ops", "joined"])
        #expect(replay.first?["ops"]?.array?.map { $0["v"]?.int } == [0])
        #expect(replay.last?["version"]?.int == 1)
        harness.store.commitNext()
        #expect(snapshotClient.take().map { $0["v"]?.int } == [1])
        harness.store.commitNext()
        #expect(snapshotClient.take().map { $0["v"]?.int } == [2])
        #expect(lateClient.take().map { $0["v"]?.int } == [1, 2])
        #expect(harness.text == "bcX")
    }

    @Test func groupCommitBatchesAndOrdersForAuthors() {
        var configuration = RoomConfiguration()
        configuration.maxOutstandingAppends = 1  // everything applied during a commit goes in the next one
        let (harness, a, aClient, b, bClient) = setUp("abc", configuration: configuration)
        let (c, cClient) = harness.join("clientCC", version: 1)
        let (_, dClient) = harness.join("clientDD", version: 1)
        _ = (aClient.take(), bClient.take(), cClient.take())
        a.sendOp(seq: 1, v: 1, #"["a"]"#)          // append 1: [A1]
        b.sendOp(seq: 1, v: 1, #"["b"]"#)          // queued
        c.sendOp(seq: 1, v: 1, #"["c"]"#)          // queued
        harness.store.commitNext()                  // A1 durable; append 2: [B1, C1]
        #expect(aClient.take().map(\.type) == ["ack"])
        #expect(harness.store.pending.first?.records.count == 2)
        let aFramesBefore = aClient.frames.count
        let dFramesBefore = dClient.frames.count
        harness.store.commitNext()
        let forA = aClient.take()
        #expect(forA.map(\.type) == ["ops"])
        #expect(forA.first?["ops"]?.array?.map { $0["clientId"]?.string } == ["clientBB", "clientCC"])
        #expect(bClient.take().suffix(2).map { [$0.type, $0["v"]?.int.map(String.init) ?? ""] }
            == [["ack", "2"], ["op", "3"]])
        #expect(cClient.take().suffix(2).map { [$0.type, $0["v"]?.int.map(String.init) ?? ""] }
            == [["op", "2"], ["ack", "3"]])
        // One frame shared by every recipient that authored none of the batch.
        #expect(dClient.frames.count == dFramesBefore + 1)
        #expect(aClient.frames[aFramesBefore] === dClient.frames[dFramesBefore])
        // Inserts at one position: the one committed first stands first.
        #expect(harness.text == "abcabc")
        #expect(harness.room.durableVersion == 4)
    }

    @Test func pipelinedAppendsCompleteInOrderUpToTheLimit() {
        var configuration = RoomConfiguration()
        configuration.maxOutstandingAppends = 2
        let (harness, a, aClient, b, bClient) = setUp("abc", configuration: configuration)
        let (c, cClient) = harness.join("clientCC", version: 1)
        let (d, dClient) = harness.join("clientDD", version: 1)
        _ = (aClient.take(), bClient.take(), cClient.take())
        a.sendOp(seq: 1, v: 1, #"["a"]"#)  // append 1: [A1]
        b.sendOp(seq: 1, v: 1, #"["b"]"#)  // append 2: [B1], while 1 is outstanding
        c.sendOp(seq: 1, v: 1, #"["c"]"#)  // two outstanding: waits
        d.sendOp(seq: 1, v: 1, #"["d"]"#)  // waits with C1
        #expect(harness.store.pending.map { $0.records.map(\.clientId) } == [["clientAA"], ["clientBB"]])
        #expect(aClient.take().isEmpty)
        harness.store.commitNext()  // A1 durable; append 3: [C1, D1]
        #expect(aClient.take().map(\.type) == ["ack"])
        #expect(bClient.take().map(\.type) == ["op"])
        #expect(harness.store.pending.map { $0.records.map(\.clientId) } == [["clientBB"], ["clientCC", "clientDD"]])
        #expect(harness.room.durableVersion == 2)
        harness.store.commitNext()
        #expect(bClient.take().map { [$0.type, $0["v"]?.int.map(String.init) ?? ""] } == [["ack", "2"]])
        #expect(harness.room.durableVersion == 3)
        harness.store.commitNext()
        #expect(cClient.take().map { [$0.type, $0["v"]?.int.map(String.init) ?? ""] }
            == [["op", "1"], ["op", "2"], ["ack", "3"], ["op", "4"]])
        #expect(dClient.take().map { [$0.type, $0["v"]?.int.map(String.init) ?? ""] }
            == [["op", "1"], ["op", "2"], ["op", "3"], ["ack", "4"]])
        #expect(harness.room.durableVersion == 5)
        #expect(!harness.room.hasPendingCommits)
        #expect(harness.store.ops["doc"]?.map(\.version) == [0, 1, 2, 3, 4])
        #expect(harness.text == "abcdabc")
    }

    @Test func aFailedAppendFailsTheOutstandingOnesAfterItAndTheRoomOnce() {
        let (harness, a, aClient, b, bClient) = setUp("abc")
        let (c, cClient) = harness.join("clientCC", version: 1)
        _ = (aClient.take(), bClient.take())
        a.sendOp(seq: 1, v: 1, #"["a"]"#)
        b.sendOp(seq: 1, v: 1, #"["b"]"#)
        c.sendOp(seq: 1, v: 1, #"["c"]"#)
        #expect(harness.store.pending.count == 3)
        harness.store.failNext()
        #expect(harness.room.failure?.message == "disk full")
        // The store refuses the later appends (a gap); the room has already stopped and
        // ignores them (FakeClient traps on a second close or a frame after close).
        harness.store.commitAll()
        #expect(harness.room.failure?.message == "disk full")
        for client in [aClient, bClient, cClient] {
            #expect(client.closeCode == .internalError)
            #expect(client.take().isEmpty)
        }
        #expect(harness.store.ops["doc"]?.count == 1)
        #expect(harness.room.durableVersion == 1)
    }

    @Test func aFailureOvertakingEarlierAppendsStopsTheRoomOnce() {
        let (harness, a, aClient, b, bClient) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["a"]"#)
        b.sendOp(seq: 1, v: 1, #"["b"]"#)
        #expect(harness.store.pending.count == 2)
        harness.store.failOutOfOrder(at: 1)
        #expect(harness.room.failure?.message == "closed")
        harness.store.commitAll()  // the earlier append lands, but the room has stopped
        #expect(harness.room.durableVersion == 1)
        for client in [aClient, bClient] {
            #expect(client.closeCode == .internalError)
            #expect(client.take().isEmpty)
        }
    }

    @Test func snapshotsEveryNOps() {
        var configuration = RoomConfiguration()
        configuration.snapshotInterval = 3
        let (harness, a, aClient, b, _) = setUp("", configuration: configuration)
        var version = 0
        for seq in 1...7 {
            a.sendOp(seq: seq, v: version, #"["a"]"#)
            harness.store.commitAll()
            _ = aClient.take()
            version += 1
        }
        #expect(harness.store.snapshots["doc"]?.map(\.version) == [3, 6])
        #expect(harness.store.snapshots["doc"]?.map(\.text) == ["aaa", "aaaaaa"])
        // A batch that crosses a multiple snapshots at the durable version after it.
        a.sendOp(seq: 8, v: 7, #"["b"]"#)
        b.sendOp(seq: 1, v: 7, #"["c"]"#)
        a.sendOp(seq: 9, v: 7, #"["x"]"#)  // op_in_flight, ignored
        harness.store.commitNext()
        b.sendOp(seq: 1, v: 7, #"["c"]"#)  // pending: no answer
        harness.store.commitAll()
        #expect(harness.store.snapshots["doc"]?.last?.version == 9)
        #expect(harness.store.snapshots["doc"]?.last?.text == harness.text)
        // A restart loads the snapshot plus the ops after it.
        harness.restart()
        #expect(harness.text == "bcaaaaaaa")
        #expect(harness.room.durableVersion == 9)
    }

    @Test func storeFailureClosesEveryoneWith1011() {
        let (harness, a, aClient, _, bClient) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        harness.store.failNext()
        #expect(aClient.closeCode == .internalError)
        #expect(bClient.closeCode == .internalError)
        #expect(aClient.take().isEmpty)
        #expect(bClient.take().isEmpty)
        #expect(harness.room.failure != nil)
        let (late, lateClient) = harness.connect()
        late.send(#"{"type":"join","clientId":"latecome"}"#)
        #expect(lateClient.closeCode == .internalError)
        #expect(harness.store.ops["doc"]?.count == 1)
    }

    @Test func storeCompletingInsideAppendWorks() {
        let (harness, a, aClient, b, bClient) = setUp("abc")
        harness.store.commitsImmediately = true
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        #expect(aClient.take().map(\.type) == ["ack"])
        b.sendOp(seq: 1, v: 1, #"[3,"y"]"#)
        #expect(bClient.take().map(\.type) == ["op", "ack"])
        #expect(harness.text == "xabcy")
        #expect(!harness.room.hasPendingCommits)
    }

    @Test func pendingCommitsAreReported() {
        let (harness, a, _, _, _) = setUp("abc")
        a.sendOp(seq: 1, v: 1, #"["x"]"#)
        #expect(harness.room.hasPendingCommits)
        harness.store.commitAll()
        #expect(!harness.room.hasPendingCommits)
    }

    @Test func loadRejectsAGappedLog() {
        let store = FakeStore()
        store.ops["doc"] = [OpRecord(version: 1, operation: TextOperation(unchecked: [.insert("x")]), clientId: "abcdefgh",
                                     seq: 1, user: "u", timestamp: 0, deletedTexts: [])]
        #expect(throws: RoomStoreError.self) {
            try Room(documentId: "doc", store: store, clock: FakeClock())
        }
    }
}
