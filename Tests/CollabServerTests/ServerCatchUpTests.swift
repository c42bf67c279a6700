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
}
