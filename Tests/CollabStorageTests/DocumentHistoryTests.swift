import CollabOT
import Testing
@testable import CollabStorage
import CollabTestSupport

@Suite struct DocumentHistoryTests {
    let directory: TemporaryDirectory
    let store: SQLiteOpStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteOpStore.openForWriting(path: directory.path())
    }

    /// A random history of `count` ops, stored with a snapshot every `interval` ops (0: none).
    func storeRandomHistory(seed: UInt64, count: Int, snapshotInterval interval: Int) throws -> OpLogFixture {
        var random = SplitMix64(seed: seed)
        var fixture = OpLogFixture(doc: "doc-\(seed)")
        for _ in 0..<count {
            fixture.add(OpLogFixture.randomOp(length: fixture.text.unicodeScalars.count, using: &random))
        }
        try store.append(fixture.records)
        if interval > 0 {
            for version in stride(from: interval, through: count, by: interval) {
                try store.saveSnapshot(Snapshot(doc: fixture.doc, version: version, text: fixture.texts[version],
                                                createdAt: 0))
            }
        }
        return fixture
    }

    @Test(arguments: [(UInt64(1), 0), (2, 1), (3, 7), (4, 50), (5, 400)])
    func textAtEveryVersionMatchesTheStringModel(seed: UInt64, interval: Int) throws {
        let fixture = try storeRandomHistory(seed: seed, count: 300, snapshotInterval: interval)
        let history = DocumentHistory(store: store, doc: fixture.doc)
        #expect(try history.currentVersion() == 300)
        for version in stride(from: 0, through: 300, by: interval == 0 ? 13 : 1) {
            let text = try history.text(atVersion: version)
            #expect(String(text) == fixture.texts[version], "seed \(seed), interval \(interval), version \(version)")
        }
        #expect(String(try history.text(atVersion: 300)) == fixture.text, "seed \(seed)")
    }

    @Test func replaysAcrossPagesOfTheOpLog() throws {
        let fixture = try storeRandomHistory(seed: 11, count: 120, snapshotInterval: 0)
        var history = DocumentHistory(store: store, doc: fixture.doc)
        history.pageSize = 7
        #expect(String(try history.text(atVersion: 120)) == fixture.text)
        #expect(String(try history.text(atVersion: 64)) == fixture.texts[64])
    }

    @Test func aSnapshotWhoseChecksumFailsIsPassedOver() throws {
        let fixture = try storeRandomHistory(seed: 21, count: 40, snapshotInterval: 10)
        try store.database.execute("UPDATE snapshots SET text = 'garbage' WHERE doc = '\(fixture.doc)' AND version = 30")
        let history = DocumentHistory(store: store, doc: fixture.doc)
        #expect(String(try history.text(atVersion: 35)) == fixture.texts[35])
        #expect(String(try history.text(atVersion: 30)) == fixture.texts[30])
    }

    @Test func versionAtATimeFollowsCommitTimes() throws {
        var fixture = OpLogFixture(doc: "timed")
        fixture.add([.insert("one\n")])
        fixture.add([.retain(4), .insert("two\n")])
        fixture.add([.delete(4)])
        try store.append(fixture.records)
        let history = DocumentHistory(store: store, doc: "timed")
        let first = fixture.records[0].ts
        #expect(try history.version(atOrBefore: first - 1) == 0)
        #expect(try history.version(atOrBefore: first) == 1)
        #expect(try history.version(atOrBefore: first + 1_500) == 2)
        #expect(try history.version(atOrBefore: first + 1_000_000) == 3)
        #expect(String(try history.text(atVersion: 2)) == "one\ntwo\n")
        #expect(String(try history.text(atVersion: 3)) == "two\n")
    }

    @Test func errorsNameTheDocumentAndVersion() throws {
        var fixture = OpLogFixture(doc: "d")
        for index in 0..<6 {
            fixture.add([.insert("\(index)")])
        }
        try store.append(fixture.records)
        #expect(throws: DocumentHistoryError.unknownDocument("nope")) {
            try DocumentHistory(store: store, doc: "nope").text(atVersion: 0)
        }
        let history = DocumentHistory(store: store, doc: "d")
        #expect(throws: DocumentHistoryError.versionNotFound(doc: "d", requested: 7, current: 6)) {
            try history.text(atVersion: 7)
        }
        #expect(String(try history.text(atVersion: 0)) == "")

        try store.database.execute("UPDATE ops SET op = '[1,{\"d\":0}]' WHERE doc = 'd' AND version = 4")
        #expect(throws: DocumentHistoryError.undecodableOp(doc: "d", version: 4, reason: "nonPositiveCount(index: 1)")) {
            try history.text(atVersion: 6)
        }
        #expect(String(try history.text(atVersion: 4)) == "3210")

        try store.database.execute("UPDATE ops SET op = '[9,\"x\"]' WHERE doc = 'd' AND version = 4")
        #expect(throws: DocumentHistoryError.opDoesNotApply(
            doc: "d", version: 4, .skipPastEnd(end: 9, documentLength: 4))) {
            try history.text(atVersion: 5)
        }

        try store.database.execute("DELETE FROM ops WHERE doc = 'd' AND version = 2")
        #expect(throws: DocumentHistoryError.missingVersion(doc: "d", expected: 2, found: 3)) {
            try history.text(atVersion: 6)
        }
    }
}
