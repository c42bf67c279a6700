import CollabJSON
import CollabOT
import CollabTransport
import Testing
@testable import CollabServer

@Suite struct RoomJoinTests {
    /// A harness whose document has `count` durable ops, each appending one letter.
    func harness(ops count: Int, configuration: RoomConfiguration = RoomConfiguration()) -> Harness {
        Harness.seeded(ops: count, configuration: configuration)
    }

    @Test func emptyDocumentSnapshotThenJoined() {
        let harness = Harness()
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        let messages = client.take()
        #expect(messages.count == 2)
        #expect(messages.first?.type == "snapshot")
        #expect(messages.first?["version"]?.int == 0)
        #expect(messages.first?["text"]?.string == "")
        #expect(messages.last?.type == "joined")
        #expect(messages.last?["version"]?.int == 0)
        #expect(messages.last?["clientId"]?.string == "abcdefgh")
        #expect(messages.last?["role"]?.string == "editor")
        #expect(messages.last?["presence"]?.array?.isEmpty == true)
        #expect(session.isJoined)
        #expect(session.sub == "anon-abcdefgh")
        // Joining creates nothing.
        #expect(harness.store.ops["doc"] == nil)
        #expect(harness.store.pending.isEmpty)
    }

    @Test func catchUpFromVersion() {
        let harness = harness(ops: 5)
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":2}"#)
        let messages = client.take()
        #expect(messages.map(\.type) == ["ops", "joined"])
        let records = messages[0]["ops"]?.array ?? []
        #expect(records.map { $0["v"]?.int } == [2, 3, 4])
        #expect(records.first?["clientId"]?.string == "writer01")
        #expect(records.first?["user"]?.string == "anon-writer01")
        #expect(records.first?["seq"]?.int == 3)
        #expect(messages[1]["version"]?.int == 5)
    }

    @Test func currentClientGetsNoOps() {
        let harness = harness(ops: 3)
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":3}"#)
        #expect(client.take().map(\.type) == ["joined"])
    }

    @Test func snapshotWithoutVersion() {
        let harness = harness(ops: 3)
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        let messages = client.take()
        #expect(messages.map(\.type) == ["snapshot", "joined"])
        #expect(messages[0]["text"]?.string == "abc")
        #expect(messages[0]["version"]?.int == 3)
    }

    @Test func catchUpIsChunked() {
        var configuration = RoomConfiguration()
        configuration.catchUpChunkRecords = 4
        let harness = harness(ops: 10, configuration: configuration)
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":0}"#)
        let messages = client.take()
        #expect(messages.map(\.type) == ["ops", "ops", "ops", "joined"])
        #expect(messages.dropLast().map { $0["ops"]?.array?.count } == [4, 4, 2])
        let versions = messages.dropLast().flatMap { $0["ops"]?.array ?? [] }.map { $0["v"]?.int }
        #expect(versions == Array(0..<10))

        var byBytes = RoomConfiguration()
        byBytes.catchUpChunkBytes = 250  // a record here is about 100 bytes
        let second = self.harness(ops: 6, configuration: byBytes)
        let (other, otherClient) = second.connect()
        other.send(#"{"type":"join","clientId":"abcdefgh","version":0}"#)
        let chunks = otherClient.take().dropLast()
        #expect(chunks.count == 3)
        #expect(chunks.map { $0["ops"]?.array?.count } == [2, 2, 2])
    }

    @Test func catchUpOlderThanWindowReadsStore() {
        var configuration = RoomConfiguration()
        configuration.recentOpsWindow = 4
        let harness = harness(ops: 12, configuration: configuration)
        #expect(harness.room.recentBase > 0)
        let reads = harness.store.readCount
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":1}"#)
        let messages = client.take()
        #expect(messages.map(\.type) == ["ops", "joined"])
        #expect(messages[0]["ops"]?.array?.map { $0["v"]?.int } == Array(1..<12))
        #expect(harness.store.readCount > reads)
    }

    @Test func tooOldOrPrunedGetsSnapshot() {
        var configuration = RoomConfiguration()
        configuration.maxCatchUpOps = 3
        let harness = harness(ops: 5, configuration: configuration)
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":1}"#)
        let messages = client.take()
        #expect(messages.map(\.type) == ["snapshot", "joined"])
        #expect(messages[0]["text"]?.string == "abcde")

        var small = RoomConfiguration()
        small.recentOpsWindow = 1
        let pruned = self.harness(ops: 8, configuration: small)
        pruned.store.prunedBelow = 3
        let (other, otherClient) = pruned.connect()
        other.send(#"{"type":"join","clientId":"abcdefgh","version":2}"#)
        #expect(otherClient.take().map(\.type) == ["snapshot", "joined"])
    }

    @Test func versionAheadClosesWith4409() {
        let harness = harness(ops: 2)
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"abcdefgh","version":3}"#)
        let messages = client.take()
        #expect(messages.count == 1)
        #expect(errorOf(messages.first)?.code == "version_ahead")
        #expect(client.closeCode == .versionAhead)
        #expect(harness.room.participantCount == 0)
    }

    @Test func badJoinKeepsTimerRunning() {
        let harness = Harness()
        let (session, client) = harness.connect()
        session.send(#"{"type":"join","clientId":"short"}"#)
        #expect(errorOf(client.take().first)?.code == "bad_message")
        session.send(#"{"type":"op","seq":1,"v":0,"op":["a"]}"#)
        let notJoined = client.take()
        #expect(errorOf(notJoined.first)?.code == "not_joined")
        #expect(errorOf(notJoined.first)?.seq == 1)
        session.send(#"{"type":"presence","v":0,"selection":null}"#)
        session.send(#"{"type":"ping","id":1}"#)
        #expect(client.take().map { errorOf($0)?.code } == ["not_joined", "not_joined"])
        session.send(#"{"type":"wat"}"#)
        session.send("nope")
        #expect(client.take().map { errorOf($0)?.code } == ["bad_message", "bad_message"])
        harness.clock.advance(by: .milliseconds(9_999))
        #expect(client.closeCode == nil)
        harness.clock.advance(by: .milliseconds(1))
        #expect(client.closeCode == .joinTimeout)
        #expect(client.take().isEmpty)
    }

    @Test func joinInTimeCancelsTimer() {
        let harness = Harness()
        let (_, client) = harness.join("abcdefgh")
        harness.clock.advance(by: .seconds(20))
        #expect(client.closeCode == nil)
        #expect(harness.clock.pendingTimerCount == 0)
    }

    @Test func secondJoinIsBadMessageAndIgnored() {
        let harness = Harness()
        let (session, client) = harness.join("abcdefgh")
        session.send(#"{"type":"join","clientId":"zzzzzzzz"}"#)
        #expect(client.take().map { errorOf($0)?.code } == ["bad_message"])
        #expect(session.clientId == "abcdefgh")
        #expect(harness.room.participantCount == 1)
    }

    @Test func clientIdOfAnotherUserIsRefused() {
        let harness = Harness()
        let ada = SessionIdentity(sub: "ada", name: nil, role: .editor)
        let bob = SessionIdentity(sub: "bob", name: nil, role: .editor)
        let (first, _) = harness.join("abcdefgh", identity: ada)
        let (session, client) = harness.connect(bob)
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(client.take().map { errorOf($0)?.code } == ["bad_message"])
        #expect(!session.isJoined)
        // Still bound after ada leaves (first joined), and across restarts once an op is stored.
        first.sendOp(seq: 1, v: 0, #"["x"]"#)
        harness.store.commitAll()
        first.connectionClosed()
        session.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(client.take().map { errorOf($0)?.code } == ["bad_message"])
        harness.restart()
        let (late, lateClient) = harness.connect(bob)
        late.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(lateClient.take().map { errorOf($0)?.code } == ["bad_message"])
        let (mine, mineClient) = harness.connect(ada)
        mine.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(mineClient.take().map(\.type) == ["snapshot", "joined"])
    }

    @Test func replacementClosesOlderWith4000WithoutLeave() {
        let harness = Harness()
        let (_, watcher) = harness.join("watcher1")
        let (old, oldClient) = harness.join("abcdefgh")
        _ = watcher.take()
        let (new, newClient) = harness.connect()
        new.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(oldClient.closeCode == .replaced)
        #expect(old.isClosed)
        #expect(new.isJoined)
        #expect(harness.room.participantCount == 2)
        let seen = watcher.take()
        #expect(seen.map(\.type) == ["presence"])
        #expect(seen.first?["clientId"]?.string == "abcdefgh")
        let answer = newClient.take()
        #expect(answer.last?["presence"]?.array?.map { $0["clientId"]?.string } == ["watcher1"])
        // The old connection's own close later changes nothing.
        old.connectionClosed()
        #expect(watcher.take().isEmpty)
    }

    /// A dropped connection's join read after its replacement's (the server's loops can adopt
    /// connections out of order) must not replace the newer session: the client would stop
    /// at 4000 with an op unacknowledged.
    @Test func lateJoinOfAnOlderConnectionIsTheOneReplaced() {
        let harness = Harness()
        let (_, watcher) = harness.join("watcher1")
        let (old, oldClient) = harness.connect()
        let (new, newClient) = harness.connect()
        new.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(newClient.take().map(\.type) == ["snapshot", "joined"])
        _ = watcher.take()
        old.send(#"{"type":"join","clientId":"abcdefgh"}"#)
        #expect(oldClient.closeCode == .replaced)
        #expect(oldClient.take().isEmpty)
        #expect(old.isClosed)
        #expect(newClient.closeCode == nil)
        #expect(new.isJoined)
        #expect(harness.room.participantCount == 2)
        #expect(watcher.take().isEmpty)
        // The newer session still edits and is acked.
        new.sendOp(seq: 1, v: 0, #"["x"]"#)
        harness.store.commitAll()
        #expect(newClient.take().map(\.type) == ["ack"])
        #expect(harness.text == "x")
    }

    @Test func presenceOnJoinAndLeave() {
        let harness = Harness()
        let ada = SessionIdentity(sub: "ada", name: "Ada L.", role: .editor)
        let (first, firstClient) = harness.join("aaaaaaaa", identity: ada, user: ##","user":{"name":"ignored","color":"#123456"}"##)
        let (session, client) = harness.connect(SessionIdentity(sub: "bob", name: nil, role: .viewer))
        session.send(#"{"type":"join","clientId":"bbbbbbbb","user":{"name":"Bobby"}}"#)
        let answer = client.take()
        #expect(answer.last?["role"]?.string == "viewer")
        let listed = answer.last?["presence"]?.array ?? []
        #expect(listed.count == 1)
        #expect(listed.first?["clientId"]?.string == "aaaaaaaa")
        #expect(listed.first?["user"]?["id"]?.string == "ada")
        #expect(listed.first?["user"]?["name"]?.string == "Ada L.")
        #expect(listed.first?["user"]?["color"]?.string == "#123456")
        #expect(listed.first?["selection"] == .null)
        let announced = firstClient.take()
        #expect(announced.count == 1)
        #expect(announced.first?.type == "presence")
        #expect(announced.first?["user"]?["name"]?.string == "Bobby")
        #expect(announced.first?["user"]?["id"]?.string == "bob")
        #expect(announced.first?["selection"] == .null)
        let color = announced.first?["user"]?["color"]?.string ?? ""
        #expect(JoinRequest.isValidColor(color))
        #expect(color == Room.pickColor(for: "bbbbbbbb"))
        session.connectionClosed()
        let left = firstClient.take()
        #expect(left.map(\.type) == ["leave"])
        #expect(left.first?["clientId"]?.string == "bbbbbbbb")
        #expect(harness.room.participantCount == 1)
        _ = first
    }

    @Test func nameFallsBackToSub() {
        let harness = Harness()
        let (_, watcher) = harness.join("watcher1")
        _ = harness.join("abcdefgh")
        #expect(watcher.take().first?["user"]?["name"]?.string == "anon-abcdefgh")
    }
}
