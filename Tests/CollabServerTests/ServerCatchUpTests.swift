import CollabJSON
import CollabStorage
import CollabTestSupport
import Foundation
import Testing

/// A second writer on the same SQLite file (an operator's `collab import --force` while the
/// server has the document open): the room notices the versions it did not write on its next
/// append, catches up, re-transforms its own ops over them and goes on; nothing is lost.
@Suite(.serialized) struct ServerCatchUpTests {
    @Test func importForceWhileARoomIsOpenIsCaughtUp() throws {
        let harness = try ServerTestHarness()
        let ada = try harness.connect("shared")
        _ = ada.join(clientId: "ada-client")
        ada.send(#"{"type":"op","seq":1,"v":0,"op":["hello world"]}"#)
        #expect(ada.receive(type: "ack")?["v"]?.int == 0)
        let bob = try harness.connect("shared")
        let joined = bob.join(clientId: "bob-client")
        #expect(joined.last?["version"]?.int == 1)

        // The operator replaces the text behind the server's back: version 1 is stored by
        // another writer, the room still believes the document is at version 1 with "hello world".
        let file = harness.directory.appendingPathComponent("new.txt")
        try Data("HELLO, world\n".utf8).write(to: file)
        let binary = try #require(BuiltProduct.collab)
        let imported = try ExecutableRun.run(binary, ["import", "shared", file.path, "--force", "--db", harness.databasePath])
        #expect(imported.status == 0, "\(imported.err)")

        // Ada types at the end of the text she knows. The room appends it as version 1, meets
        // the conflict, fetches the import, transforms her op over it and stores it as 2.
        ada.send(#"{"type":"op","seq":2,"v":1,"op":[11,"!"]}"#)
        let importOp = ada.receive(type: "op")
        #expect(importOp?["v"]?.int == 1 && importOp?["clientId"]?.string?.hasPrefix("collab-import-") == true)
        #expect(ada.receive(type: "ack")?["v"]?.int == 2)
        // Bob gets both, in order.
        #expect(bob.receive(type: "op")?["v"]?.int == 1)
        let adaOp = bob.receive(type: "op")
        #expect(adaOp?["v"]?.int == 2 && adaOp?["clientId"]?.string == "ada-client")
        let text = try harness.text(of: "shared")
        // The import deleted "hello world" and inserted its text; Ada's "!" survives after it.
        #expect(text == "HELLO, world\n!")
        // The room goes on: a next op at the new version is stored normally.
        bob.send(#"{"type":"op","seq":1,"v":3,"op":["> "]}"#)
        #expect(bob.receive(type: "ack")?["v"]?.int == 3)
        #expect(try harness.text(of: "shared") == "> HELLO, world\n!")
        // The op log replays to the text, with every version once.
        let store = try SQLiteOpStore.openForReading(path: harness.databasePath)
        #expect(try StoreVerifier(store: store).verify(doc: "shared").problems == [])
        #expect(try store.currentVersion(doc: "shared") == 4)
    }

    /// Two servers on one SQLite file — two writers, no fan-out between them: each room takes
    /// in the other's ops by polling the stored head, and catches up when its append meets
    /// them. Editors on both converge on the stored text; every version is stored once.
    @Test(arguments: [UInt64(3), 77])
    func twoServersOnOneDatabaseConverge(seed: UInt64) throws {
        let first = try ServerTestHarness { $0.room.headPollInterval = .milliseconds(20) }
        let second = try ServerTestHarness {
            $0.databasePath = first.databasePath
            $0.room.headPollInterval = .milliseconds(20)
        }
        var random = SplitMix64(seed: seed)
        let editors = (0..<4).map { ServerEditor(clientId: "node-editor-\(seed)-\($0)") }
        for (index, editor) in editors.enumerated() {
            try editor.connect(to: index % 2 == 0 ? first : second, document: "two-nodes")
        }
        for editor in editors {
            while !editor.joined { editor.process(wait: true) }
        }
        for round in 0..<400 {
            let editor = editors[random.int(0..<editors.count)]
            if random.chance(0.5) {
                editor.edit(using: &random)
            } else {
                editor.process()
            }
            // Let acks and the other node's ops arrive now and then, so versions interleave.
            if round % 8 == 0 { Thread.sleep(forTimeInterval: 0.002) }
        }
        let deadline = Date().addingTimeInterval(20)
        func final() throws -> (version: Int?, text: String?) {
            let body = try JSONReader.parse(first.get("/v1/docs/two-nodes").body)
            return (body["version"]?.int, body["text"]?.string)
        }
        while editors.contains(where: { !$0.isIdle }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.005)
        }
        var stored = try final()
        while editors.contains(where: { $0.version != stored.version }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.005)
            stored = try final()
        }
        for editor in editors {
            #expect(editor.problems.isEmpty, "seed \(seed): \(editor.clientId): \(editor.problems)")
            #expect(editor.isIdle, "seed \(seed): \(editor.clientId) not idle")
            #expect(editor.document == stored.text, "seed \(seed): \(editor.clientId) diverged")
        }
        #expect((stored.version ?? 0) > 20, "seed \(seed)")
        #expect(try JSONReader.parse(second.get("/v1/docs/two-nodes").body)["text"]?.string == stored.text)
        let store = try SQLiteOpStore.openForReading(path: first.databasePath)
        #expect(try StoreVerifier(store: store).verify(doc: "two-nodes").problems == [])
        // Both paths ran: conflicts met on append, and ops found by polling.
        func counter(_ name: String) throws -> Int {
            try [first, second].reduce(0) { total, harness in
                let line = try harness.get("/metrics").body.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                return total + (line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0)
            }
        }
        #expect(try counter("collab_version_conflicts_total") > 0, "seed \(seed)")
        #expect(try counter("collab_head_catch_ups_total") > 0, "seed \(seed)")
    }
}
