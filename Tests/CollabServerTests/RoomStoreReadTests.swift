import CollabJSON
import CollabOT
import CollabStorage
import Testing
@testable import CollabServer

/// A room whose store answers reads later (PostgreSQL, a round trip away): the loop never
/// waits, the connection that asked holds what it sends meanwhile, and everything is handled
/// in the order it was sent once the answer is in.
@Suite struct RoomStoreReadTests {
    /// A room with `count` one-letter ops ("abc…") committed by `writer01`, on a store that
    /// answers reads at once until the test says otherwise.
    func harness(ops count: Int, window: Int = 2000) -> Harness {
        var configuration = RoomConfiguration()
        configuration.recentOpsWindow = window
        return Harness.seeded(ops: count, configuration: configuration)
    }

    @Test func joinHoldsWhatFollowsUntilTheStoreAnswers() {
        let harness = harness(ops: 3)
        harness.store.defersReads = true
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":3}"#)
        session.sendOp(seq: 1, v: 3, #"[3,"!"]"#)
        session.send(#"{"type":"ping","id":"p1"}"#)
        #expect(client.take().isEmpty)
        #expect(harness.room.headVersion == 3)
        harness.store.answerReads()
        // Joined, then the op applied (its ack waits for durability), then the ping answered.
        #expect(client.take().map(\.type) == ["joined", "pong"])
        #expect(harness.room.headVersion == 4)
        harness.store.commitAll()
        #expect(client.take().map(\.type) == ["ack"])
        #expect(harness.text == "abc!")
    }

    @Test func joinWaitsUntilTheRoomHoldsEveryStoredVersion() {
        let harness = harness(ops: 3)
        let (watcher, watcherClient) = harness.join("watcher1", version: 3)
        _ = watcherClient.take()
        _ = (storeElsewhere(harness, "x"), storeElsewhere(harness, "y"))
        harness.store.defersReads = true
        // The client saw version 5 on the other node: not `version_ahead` here.
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":5}"#)
        #expect(client.take().isEmpty)
        harness.store.answerReads()
        let messages = client.take()
        #expect(messages.map(\.type) == ["joined"])
        #expect(messages.first?["version"]?.int == 5)
        #expect(harness.room.durableVersion == 5)
        #expect(harness.text == "abcxy")
        // Editors here received the other writer's ops.
        #expect(watcherClient.take().map(\.type).contains("ops"))
        _ = watcher
    }

    @Test func aFailedJoinReadIsAStorageFailureAndTheJoinCanBeRetried() {
        let harness = harness(ops: 2)
        harness.store.readsFail = true
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(errorOf(client.take().first)?.code == "internal")
        #expect(!session.isJoined && !session.isClosed)
        harness.store.readsFail = false
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(client.take().map(\.type) == ["snapshot", "joined"])
    }

    @Test func anOpOlderThanTheWindowIsHeldWhileItsHistoryIsRead() {
        let harness = harness(ops: 8, window: 2)
        let (session, client) = harness.join("abcdefgh", version: 8)
        #expect(harness.room.recentBase > 1)
        harness.store.defersReads = true
        // Made against version 1 ("a"): its length is checked there, and it is transformed over
        // the 7 ops since.
        session.sendOp(seq: 1, v: 1, #"[{"d":1}]"#)
        session.send(#"{"type":"ping","id":"p1"}"#)
        #expect(client.take().isEmpty)
        #expect(harness.store.deferredReadCount == 1)
        harness.store.answerReads()
        #expect(client.take().map(\.type) == ["pong"])
        harness.store.commitAll()
        #expect(client.take().map(\.type) == ["ack"])
        #expect(harness.text == "bcdefgh")
    }

    @Test func aFailedReadIsAStorageFailureForThatMessageOnlyAndTheConnectionGoesOn() {
        let harness = harness(ops: 8, window: 2)
        let (session, client) = harness.join("abcdefgh", version: 8)
        harness.store.readsFail = true
        // An op past the window, a resubmission whose seq only the store knows, a presence past
        // the window: each read fails; the op and the resubmission are answered, the presence is
        // dropped, and what follows is handled.
        session.sendOp(seq: 1, v: 1, #"[{"d":1}]"#)
        session.send(#"{"type":"presence","v":1,"selection":[[1,1]]}"#)
        session.send(#"{"type":"ping","id":"p1"}"#)
        let answers = client.take()
        #expect(answers.map(\.type) == ["error", "pong"])
        #expect(errorOf(answers.first)?.code == "internal" && errorOf(answers.first)?.seq == 1)
        #expect(harness.room.headVersion == 8 && client.closeCode == nil)
        // Readable again: the same op goes through, once.
        harness.store.readsFail = false
        session.sendOp(seq: 1, v: 1, #"[{"d":1}]"#)
        harness.store.commitAll()
        #expect(client.take().map(\.type) == ["ack"])
        #expect(harness.text == "bcdefgh")
        // writer01 stored seqs 1...8 long before the window: its lookup fails, then answers.
        let (writer, writerClient) = harness.join("writer01", version: 9)
        harness.store.readsFail = true
        writer.sendOp(seq: 2, v: 1, #"["x"]"#)
        #expect(errorOf(writerClient.take().first)?.code == "internal")
        harness.store.readsFail = false
        writer.sendOp(seq: 2, v: 1, #"["x"]"#)
        #expect(writerClient.take().map { $0["v"]?.int } == [1])
        #expect(harness.store.ops["doc"]?.count == 9)
    }

    @Test func anOpOlderThanWhatTheStoreKeepsIsVersionGone() {
        let harness = harness(ops: 8, window: 2)
        let (session, client) = harness.join("abcdefgh", version: 8)
        harness.store.defersReads = true
        harness.store.prunedBelow = 4
        session.sendOp(seq: 1, v: 1, #"[1,"!"]"#)
        harness.store.answerReads()
        #expect(errorOf(client.take().first)?.code == "version_gone")
        #expect(client.closeCode == .versionGone)
        // Within what the store keeps, the same read brings the history in.
        let (other, otherClient) = harness.join("otherone", version: 8)
        other.sendOp(seq: 1, v: 5, #"[4,{"d":1}]"#)
        harness.store.answerReads()
        harness.store.commitAll()
        #expect(otherClient.take().map(\.type) == ["joined", "ack"])
        #expect(harness.text == "abcdfgh")
    }

    @Test func aResubmissionOlderThanTheWindowIsAckedFromTheStore() {
        let harness = harness(ops: 1, window: 1)
        let (first, firstClient) = harness.join("abcdefgh", version: 1)
        first.sendOp(seq: 1, v: 1, #"[1,"!"]"#)
        harness.store.commitAll()
        #expect(firstClient.take().map(\.type) == ["ack"])
        let (writer, _) = harness.join("writer02", version: 2)
        for seq in 1...4 {
            writer.sendOp(seq: seq, v: seq + 1, #"["y"]"#)
            harness.store.commitAll()
        }
        harness.store.defersReads = true
        // The ack was lost with the connection: the client resubmits on a new one.
        let (again, client) = harness.connect()
        again.send(#"{"type":"join","clientId":"abcdefgh","version":2}"#)
        harness.store.answerReads()
        _ = client.take()
        again.sendOp(seq: 1, v: 1, #"[1,"!"]"#)
        again.send(#"{"type":"ping","id":"p1"}"#)
        #expect(client.take().isEmpty)
        harness.store.answerReads()
        let answers = client.take()
        #expect(answers.map(\.type) == ["ack", "pong"])
        #expect(answers.first?["v"]?.int == 1)
        #expect(harness.store.ops["doc"]?.count == 6)
    }

    @Test func aPresenceOlderThanTheWindowIsTransformedOnceItsHistoryIsRead() {
        let harness = harness(ops: 6, window: 1)
        let (a, _) = harness.join("clientAA", version: 6)
        let (_, bClient) = harness.join("clientBB", version: 6)
        harness.store.defersReads = true
        // A caret after "a" at version 1: each of the 5 later inserts at the caret pushes it on.
        a.send(#"{"type":"presence","v":1,"selection":[[1,1]]}"#)
        #expect(bClient.take().isEmpty)
        harness.store.answerReads()
        let presence = bClient.take().first
        #expect(presence?.type == "presence")
        #expect(presence?["v"]?.int == 6)
        #expect(presence?["selection"]?.array?.first?.array?.compactMap(\.int) == [6, 6])
    }

    @Test func aJoinCatchUpOlderThanTheWindowIsReadBeforeTheAnswer() {
        let harness = harness(ops: 12, window: 4)
        harness.store.defersReads = true
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":1}"#)
        harness.store.answerReads()
        let messages = client.take()
        #expect(messages.map(\.type) == ["ops", "joined"])
        #expect(messages.first?["ops"]?.array?.map { $0["v"]?.int } == Array(1..<12))
    }
}

/// Another node's commit notices (records carried over Redis) reaching a room: taken in by
/// version, in order, without reading the store where they suffice.
@Suite struct RoomNoticeTests {
    /// A room holding "abc" (3 ops) and an editor in it.
    func setUp() -> (Harness, Session, FakeClient) {
        let harness = Harness.seeded(ops: 3)
        let (editor, client) = harness.join("editor01", version: 3)
        _ = client.take()
        return (harness, editor, client)
    }

    @Test func noticesOvertakingEachOtherAreTakenInInOrderWithoutARead() {
        let (harness, _, client) = setUp()
        let x = storeElsewhere(harness, "x")
        let y = storeElsewhere(harness, "y")
        let reads = harness.store.readCount
        harness.room.receiveCommitted([y], head: 5)
        #expect(harness.room.durableVersion == 3)
        #expect(client.take().isEmpty)
        var causes: [CatchUpCause] = []
        harness.room.onCatchUp = { causes.append($0) }
        harness.room.receiveCommitted([x], head: 4)
        #expect(harness.room.durableVersion == 5)
        #expect(causes == [.notice])
        #expect(harness.text == "abcxy")
        #expect(client.take().first?["ops"]?.array?.map { $0["v"]?.int } == [3, 4])
        // A notice repeated (or older than the room) changes nothing.
        harness.room.receiveCommitted([x, y], head: 5)
        #expect(client.take().isEmpty)
        #expect(harness.store.readCount == reads)
    }

    @Test func aNoticeThatNeverComesIsReadAfterAShortWait() {
        let (harness, _, client) = setUp()
        _ = storeElsewhere(harness, "x")  // its notice is lost
        let y = storeElsewhere(harness, "y")
        var causes: [CatchUpCause] = []
        harness.room.onCatchUp = { causes.append($0) }
        harness.room.receiveCommitted([y], head: 5)
        harness.clock.advance(by: .milliseconds(5))
        #expect(harness.room.durableVersion == 3)
        harness.clock.advance(by: .milliseconds(10))
        #expect(harness.room.durableVersion == 5)
        #expect(causes == [.noticeGap])
        #expect(harness.text == "abcxy")
        #expect(client.take().first?["ops"]?.array?.count == 2)
    }

    @Test func aNoticeWithoutRecordsIsReadAfterTheWait() {
        let (harness, _, _) = setUp()
        _ = storeElsewhere(harness, "x")
        harness.room.receiveCommitted([], head: 4)
        harness.clock.advance(by: .milliseconds(20))
        #expect(harness.text == "abcx")
    }

    @Test func theWinnersNoticeSettlesAConflictWithoutARead() {
        let (harness, editor, client) = setUp()
        editor.sendOp(seq: 1, v: 3, #"[3,"!"]"#)
        #expect(harness.store.pending.count == 1)
        // Meanwhile another node committed version 3 and said so.
        let x = storeElsewhere(harness, "x")
        harness.room.receiveCommitted([x], head: 4)
        #expect(harness.room.durableVersion == 3)  // waits for our append's answer
        let reads = harness.store.readCount
        harness.store.commitNext()  // ours meets the conflict
        #expect(harness.room.durableVersion == 4)
        #expect(harness.store.readCount == reads)
        harness.store.commitAll()
        let messages = client.take()
        #expect(messages.map(\.type) == ["op", "ack"])
        #expect(messages.last?["v"]?.int == 4)
        #expect(harness.text == "abcx!")
    }

    @Test func versionsNoticedDuringAnAppendAreTakenInBeforeTheNextOne() {
        let (harness, editor, client) = setUp()
        editor.sendOp(seq: 1, v: 3, #"[3,"!"]"#)
        harness.store.commitAll()
        _ = client.take()
        editor.sendOp(seq: 2, v: 4, #"[4,"?"]"#)
        // Our version 4 is being stored; another node's 5 is announced before it completes.
        harness.room.receiveCommitted([], head: 4)  // stale: ignored
        var log = harness.store.ops["doc"] ?? []
        let pendingFour = harness.store.pending[0].records
        log.append(contentsOf: pendingFour)
        harness.store.ops["doc"] = log
        harness.store.pending.removeFirst().completion(.success(()))
        #expect(harness.room.durableVersion == 5)
        let y = storeElsewhere(harness, "y")
        editor.sendOp(seq: 3, v: 5, #"[5,"%"]"#)
        harness.room.receiveCommitted([y], head: 6)
        // Ours (version 5) is outstanding and conflicts; the notice settles it, no read.
        let reads = harness.store.readCount
        harness.store.commitAll()
        #expect(harness.store.readCount == reads)
        #expect(harness.text == "abc!?y%")
        #expect(client.take().map(\.type) == ["ack", "op", "ack"])
    }
}

/// Another node stores `text` appended at the end, as the next version (the room does not
/// know yet), and returns the row its notice would carry.
private func storeElsewhere(_ harness: Harness, _ text: String) -> CollabStorage.OpRecord {
    var log = harness.store.ops["doc"] ?? []
    var rebuilt = DocumentText("")
    for record in log { try? rebuilt.apply(record.operation) }
    let operation = TextOperation(unchecked: [.retain(rebuilt.count), .insert(text)])
    let record = OpRecord(version: log.count, operation: operation, clientId: "othernode",
                          seq: log.count + 1, user: "u", timestamp: 0, deletedTexts: [])
    log.append(record)
    harness.store.ops["doc"] = log
    return CollabStorage.OpRecord(
        doc: "doc", version: record.version, clientId: record.clientId, seq: record.seq, user: record.user,
        ts: 0, length: rebuilt.count + text.unicodeScalars.count,
        opJSON: String(decoding: record.operationJSON, as: UTF8.self),
        deletedJSON: String(decoding: record.deletedTextsJSON, as: UTF8.self))
}


@Suite struct SessionHoldTests {
    @Test func aClientFloodingWhileAReadIsOutIsClosedWith1013() {
        let harness = Harness.seeded(ops: 2)
        harness.store.defersReads = true
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        for id in 0..<Session.maxHeldMessages { session.send(#"{"type":"ping","id":"\#(id)"}"#) }
        #expect(client.closeCode == nil)
        session.send(#"{"type":"ping","id":"one too many"}"#)
        #expect(client.closeCode == .tryAgainLater)
        harness.store.answerReads()
        #expect(client.take().isEmpty)
        #expect(harness.room.participantCount == 0)
    }
}
