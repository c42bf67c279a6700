import CollabJSON
import Foundation
import Testing

/// The real server over real WebSockets: joins, edits, catch-up, replacement, closes.
@Suite(.serialized) struct ServerProtocolTests {
    @Test func joinEmptyDocumentGetsSnapshotThenJoined() throws {
        let harness = try ServerTestHarness()
        let client = try harness.connect("empty-doc")
        let messages = client.join(clientId: "client-aaaa")
        #expect(messages.map(\.type) == ["snapshot", "joined"])
        #expect(messages.first?["version"]?.int == 0)
        #expect(messages.first?["text"]?.string == "")
        #expect(messages.last?["version"]?.int == 0)
        #expect(messages.last?["role"]?.string == "editor")
        #expect(messages.last?["presence"]?.array?.isEmpty == true)
        // Joining creates nothing.
        #expect(try harness.get("/v1/docs/empty-doc").status == 404)
    }

    @Test func twoClientsEditAndCatchUpOnReconnect() throws {
        let harness = try ServerTestHarness()
        let ada = try harness.connect("notes")
        _ = ada.join(clientId: "ada-client")
        let bob = try harness.connect("notes")
        #expect(bob.join(clientId: "bob-client").last?.type == "joined")
        #expect(ada.receive(type: "presence")?["clientId"]?.string == "bob-client")

        ada.send(#"{"type":"op","seq":1,"v":0,"op":["hello"]}"#)
        let ack = ada.receive(type: "ack")
        #expect(ack?["seq"]?.int == 1 && ack?["v"]?.int == 0)
        let record = bob.receive(type: "op")
        #expect(record?["v"]?.int == 0 && record?["clientId"]?.string == "ada-client" && record?["user"]?.string == "anon-ada-client")

        bob.send(#"{"type":"op","seq":1,"v":1,"op":[5," world"]}"#)
        #expect(bob.receive(type: "ack")?["v"]?.int == 1)
        #expect(ada.receive(type: "op")?["op"]?.array?.count == 2)
        // Concurrent: both against v2.
        ada.send(#"{"type":"op","seq":2,"v":2,"op":["A"]}"#)
        #expect(ada.receive(type: "ack")?["v"]?.int == 2)
        bob.send(#"{"type":"op","seq":2,"v":2,"op":[11,"!"]}"#)
        #expect(bob.receive(type: "op")?["v"]?.int == 2)  // ada's op reaches bob before his ack
        let bobAck = bob.receive(type: "ack")
        #expect(bobAck?["v"]?.int == 3)
        #expect(try harness.text(of: "notes") == "Ahello world!")

        // A late joiner with version 1 gets the ops from 1 on, then joined at 4.
        let carol = try harness.connect("notes")
        let answer = carol.join(clientId: "carol-client", version: 1)
        #expect(answer.map(\.type) == ["ops", "joined"])
        #expect(answer.first?["ops"]?.array?.compactMap { $0["v"]?.int } == [1, 2, 3])
        #expect(answer.last?["version"]?.int == 4)
        #expect(answer.last?["presence"]?.array?.count == 2)
    }

    @Test func reconnectWithOpInFlightAppliesItExactlyOnce() throws {
        let harness = try ServerTestHarness()
        var first: ServerTestConnection? = try harness.connect("inflight")
        _ = first?.join(clientId: "flaky-client")
        first?.send(#"{"type":"op","seq":1,"v":0,"op":["abc"]}"#)
        first = nil  // dropped before reading the ack
        Thread.sleep(forTimeInterval: 0.1)
        let second = try harness.connect("inflight")
        let answer = second.join(clientId: "flaky-client", version: 0)
        // The catch-up carries the op with our clientId and seq: that is its ack.
        let records = answer.first { $0.type == "ops" }?["ops"]?.array ?? []
        #expect(records.map { $0["seq"]?.int } == [1])
        #expect(records.first?["clientId"]?.string == "flaky-client")
        // Resubmitting it anyway gets the original's ack and changes nothing.
        second.send(#"{"type":"op","seq":1,"v":0,"op":["abc"]}"#)
        #expect(second.receive(type: "ack")?["v"]?.int == 0)
        #expect(try harness.text(of: "inflight") == "abc")
        let ops = try JSONReader.parse(harness.get("/v1/docs/inflight/ops").body)
        #expect(ops.array?.count == 1)
    }

    @Test func secondConnectionWithSameClientIdReplacesTheFirst() throws {
        let harness = try ServerTestHarness()
        let old = try harness.connect("replace")
        _ = old.join(clientId: "same-client")
        let new = try harness.connect("replace")
        #expect(new.join(clientId: "same-client").last?.type == "joined")
        #expect(old.awaitClose() == 4000)
    }

    @Test func versionAheadCloses4409() throws {
        let harness = try ServerTestHarness()
        let client = try harness.connect("ahead")
        let answer = client.join(clientId: "ahead-client", version: 5)
        #expect(answer.last?["code"]?.string == "version_ahead")
        #expect(client.awaitClose() == 4409)
    }

    @Test func noJoinInTimeCloses4408() throws {
        let harness = try ServerTestHarness { $0.room.joinTimeout = .milliseconds(300) }
        let client = try harness.connect("silent")
        client.send(#"{"type":"ping","id":1}"#)
        #expect(client.receive()?["code"]?.string == "not_joined")
        #expect(client.awaitClose() == 4408)
    }

    @Test func badMessageAndBadOp() throws {
        let harness = try ServerTestHarness()
        let client = try harness.connect("bad")
        _ = client.join(clientId: "bad-client")
        client.send("{nope")
        #expect(client.receive(type: "error")?["code"]?.string == "bad_message")
        client.send(#"{"type":"op","seq":1,"v":0,"op":[3,{"d":1}]}"#)
        let error = client.receive(type: "error")
        #expect(error?["code"]?.string == "bad_op" && error?["seq"]?.int == 1)
    }
}
