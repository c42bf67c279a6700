import CollabOT
@testable import CollabStorage
import CollabTestSupport
import Testing

/// Named versions, compaction and deletion in the SQLite store (migration 0004).
@Suite struct HistoryActionsTests {
    let directory: TemporaryDirectory
    let store: SQLiteOpStore
    var fixture = OpLogFixture(doc: "notes")

    /// "notes": 300 random ops by two users, a snapshot every 50; "other": 3 ops.
    init() throws {
        directory = try TemporaryDirectory(prefix: "history-actions")
        store = try SQLiteOpStore.openForWriting(path: directory.path())
        var random = SplitMix64(seed: 4)
        for index in 0..<300 {
            var op = OpLogFixture.randomOp(length: fixture.text.unicodeScalars.count, using: &random)
            if op.isNoop { op = TextOperation(unchecked: [.insert("x")]) }
            let (user, client) = index % 3 == 0 ? ("bob", "client-bob") : ("ada", "client-ada")
            fixture.add(op, user: user, client: client)
        }
        try store.append(fixture.records)
        for version in stride(from: 50, through: 300, by: 50) {
            try store.saveSnapshot(Snapshot(doc: "notes", version: version, text: fixture.texts[version], createdAt: 1))
        }
        var other = OpLogFixture(doc: "other")
        other.add([.insert("one\n")])
        other.add([.retain(4), .insert("two\n")])
        other.add([.retain(8), .insert("three\n")])
        try store.append(other.records)
    }

    func text(_ version: Int, doc: String = "notes") throws -> String {
        String(try DocumentHistory(store: store, doc: doc).text(atVersion: version))
    }

    @Test func namesAreUniquePerDocumentAndListedInVersionOrder() throws {
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "draft 2", version: 200, user: "ada", createdAt: 5))
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "draft 1", version: 100, user: "bob", createdAt: 6))
        try store.addNamedVersion(NamedVersion(doc: "other", name: "draft 1", version: 1, user: "bob", createdAt: 7))
        #expect(throws: StorageError.nameTaken(doc: "notes", name: "draft 1")) {
            try store.addNamedVersion(NamedVersion(doc: "notes", name: "draft 1", version: 3, user: "cy", createdAt: 8))
        }
        #expect(try store.namedVersions(doc: "notes").map(\.name) == ["draft 1", "draft 2"])
        #expect(try store.namedVersion(doc: "notes", name: "draft 2")?.version == 200)
        #expect(try store.removeNamedVersion(doc: "notes", name: "draft 2"))
        #expect(try !store.removeNamedVersion(doc: "notes", name: "draft 2"))
        #expect(try store.namedVersions(doc: "notes").map(\.version) == [100])
        #expect(NamedVersion.problem(with: "") != nil)
        #expect(NamedVersion.problem(with: String(repeating: "é", count: 100)) == nil)
        #expect(NamedVersion.problem(with: String(repeating: "é", count: 101)) != nil)
        #expect(NamedVersion.problem(with: "tab\there") != nil)
        #expect(NamedVersion.problem(with: "👍 final") == nil)
    }

    /// The diff law on a real history: for random A ≤ B, the op `TextDiff` gives turns the text
    /// at A into the text at B, and it is no larger than replacing everything that differs.
    @Test func diffLawOnRandomVersionsOfTheHistory() throws {
        var random = SplitMix64(seed: 17)
        for _ in 0..<500 {
            let a = random.int(in: 0...300), b = random.int(in: 0...300)
            let (from, to) = (min(a, b), max(a, b))
            let old = try text(from), new = try text(to)
            #expect(old == fixture.texts[from] && new == fixture.texts[to])
            let diff = TextDiff.operation(from: old, to: new)
            #expect(try diff.apply(to: old) == new, "\(from) → \(to)")
            let changed = diff.components.reduce(0) { total, component in
                switch component {
                case .retain: total
                case .delete(let n): total + n
                case .insert(let text): total + text.unicodeScalars.count
                }
            }
            #expect(changed <= old.unicodeScalars.count + new.unicodeScalars.count)
        }
    }

    @Test func compactionKeepsEverythingFromTheHorizonOn() throws {
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "old", version: 77, user: "ada", createdAt: 5))
        let blameBefore = try Blame.lines(store: store, doc: "notes")
        let report = try store.compact(doc: "notes", horizon: 120, now: 9)
        #expect(report.previousHorizon == 0 && report.horizon == 120 && report.opsRemoved == 120)
        #expect(report.snapshotsRemoved == 2 && report.bytesRemoved > 0)
        for version in 120...300 {
            #expect(try text(version) == fixture.texts[version], "version \(version)")
        }
        #expect(throws: DocumentHistoryError.versionGone(doc: "notes", requested: 119, horizon: 120)) { try text(119) }
        #expect(throws: DocumentHistoryError.versionGone(doc: "notes", requested: 0, horizon: 120)) { try text(0) }
        // The named version below the horizon kept a snapshot of its own, read by name only.
        #expect(throws: DocumentHistoryError.versionGone(doc: "notes", requested: 77, horizon: 120)) { try text(77) }
        #expect(String(try DocumentHistory(store: store, doc: "notes").text(atNamedVersion: 77)) == fixture.texts[77])
        #expect(String(try DocumentHistory(store: store, doc: "notes").text(atNamedVersion: 200)) == fixture.texts[200])
        #expect(try store.ops(doc: "notes", from: 0, limit: 10).first?.version == 120)
        #expect(try StoreVerifier(store: store).verify(doc: "notes").problems == [])
        // Lines last written at or after the horizon keep their author; older text is one entry.
        let blameAfter = try Blame.lines(store: store, doc: "notes")
        #expect(blameAfter.map(\.text) == blameBefore.map(\.text))
        for (after, before) in zip(blameAfter, blameBefore) {
            if before.version >= 120 {
                #expect(after == before)
            } else {
                #expect(after.version == 119 && after.user == "before version 120")
            }
        }
        // A second compaction at the same horizon is a no-op; other documents are untouched.
        #expect(try store.compact(doc: "notes", horizon: 120, now: 10).opsRemoved == 0)
        #expect(try store.compact(doc: "notes", horizon: 50, now: 10).horizon == 120)
        #expect(try text(3, doc: "other") == "one\ntwo\nthree\n")
        #expect(throws: DocumentHistoryError.versionNotFound(doc: "notes", requested: 301, current: 300)) {
            try store.compact(doc: "notes", horizon: 301, now: 10)
        }
        // New ops still append after a compaction.
        var next = fixture
        next.add([.insert("new ")])
        try store.append([next.records[300]])
        #expect(try text(301) == "new " + fixture.texts[300])
    }

    @Test func compactingEverythingLeavesTheTextAndVerifies() throws {
        let report = try store.compact(doc: "notes", horizon: 300, now: 9)
        #expect(report.opsRemoved == 300)
        #expect(try text(300) == fixture.texts[300])
        #expect(try StoreVerifier(store: store).verify(doc: "notes").problems == [])
    }

    @Test func purgeRemovesOneDocumentAndItsIdStartsAgain() throws {
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "n", version: 3, user: "ada", createdAt: 5))
        #expect(try store.purge(doc: "notes"))
        #expect(try store.currentVersion(doc: "notes") == 0)
        #expect(try store.documentInfo(doc: "notes") == nil)
        #expect(try store.namedVersions(doc: "notes") == [])
        #expect(try store.clients(doc: "notes") == [])
        #expect(try store.snapshotVersions(doc: "notes") == [])
        #expect(try !store.purge(doc: "notes"))
        #expect(try text(3, doc: "other") == "one\ntwo\nthree\n")
        var again = OpLogFixture(doc: "notes")
        again.add([.insert("fresh")])
        try store.append(again.records)
        #expect(try text(1) == "fresh")
        #expect(try StoreVerifier(store: store).verify(doc: "notes").problems == [])
    }
}
