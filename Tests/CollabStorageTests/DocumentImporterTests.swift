import Testing
@testable import CollabStorage
import CollabTestSupport

@Suite struct DocumentImporterTests {
    let directory: TemporaryDirectory
    let store: SQLiteOpStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteOpStore.openForWriting(path: directory.path())
    }

    @Test func createsADocumentWithOneSystemOp() throws {
        let importer = DocumentImporter(store: store)
        #expect(try importer.importText("héllo\n", into: "n", replacing: false, ts: 5, clientId: "collab-import-x")
                == .created(version: 1))
        #expect(try store.ops(doc: "n", from: 0, limit: 10) == [
            OpRecord(doc: "n", version: 0, clientId: "collab-import-x", seq: 1, user: "system", ts: 5,
                     length: 6, opJSON: #"["héllo\n"]"#, deletedJSON: "[]"),
        ])
        #expect(try StoreVerifier(store: store).verify(doc: "n").isIntact)
    }

    @Test func refusesAnExistingDocumentUnlessReplacing() throws {
        let importer = DocumentImporter(store: store)
        _ = try importer.importText("old text", into: "n", replacing: false, ts: 5)
        #expect(throws: DocumentImportError.documentExists(doc: "n", version: 1)) {
            try importer.importText("new", into: "n", replacing: false, ts: 6)
        }
        #expect(try importer.importText("new", into: "n", replacing: true, ts: 6, clientId: "collab-import-y")
                == .replaced(version: 2))
        let replacement = try #require(try store.ops(doc: "n", from: 1, limit: 1).first)
        #expect(replacement.opJSON == #"["new",{"d":8}]"#)
        #expect(replacement.deletedJSON == #"["old text"]"#)
        #expect(replacement.user == "system")
        #expect(String(try DocumentHistory(store: store, doc: "n").text(atVersion: 2)) == "new")
        #expect(String(try DocumentHistory(store: store, doc: "n").text(atVersion: 1)) == "old text")
        #expect(try importer.importText("new", into: "n", replacing: true, ts: 7) == .unchanged(version: 2))
        #expect(try StoreVerifier(store: store).verify(doc: "n").isIntact)
    }

    @Test func emptyTextCreatesNothing() throws {
        #expect(throws: DocumentImportError.emptyText) {
            try DocumentImporter(store: store).importText("", into: "n", replacing: false, ts: 5)
        }
        #expect(try store.documentInfo(doc: "n") == nil)
    }

    @Test func clientIdsAreValidProtocolClientIds() {
        let id = DocumentImporter.makeClientId()
        #expect(id.hasPrefix("collab-import-"))
        #expect((8...64).contains(id.count))
        #expect(id.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || $0 == "-" })
        #expect(DocumentImporter.makeClientId() != id)
    }
}
