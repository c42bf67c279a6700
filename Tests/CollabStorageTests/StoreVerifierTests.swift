import CollabOT
import Testing
@testable import CollabStorage

@Suite struct StoreVerifierTests {
    let directory: TemporaryDirectory
    let store: SQLiteOpStore
    let fixture: OpLogFixture

    /// Document "d": 30 random ops, snapshots at 10, 20 and 30; document "e": 3 ops.
    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteOpStore.openForWriting(path: directory.path())
        var random = SplitMix64(seed: 42)
        var fixture = OpLogFixture(doc: "d")
        for index in 0..<30 {
            fixture.add(OpLogFixture.randomOp(length: fixture.text.unicodeScalars.count, using: &random),
                        user: index % 3 == 0 ? "bob" : "ada")
        }
        try store.append(fixture.records)
        for version in [10, 20, 30] {
            try store.saveSnapshot(Snapshot(doc: "d", version: version, text: fixture.texts[version], createdAt: 0))
        }
        var other = OpLogFixture(doc: "e")
        other.add([.insert("one")])
        other.add([.retain(3), .insert(" two")])
        other.add([.delete(4)])
        try store.append(other.records)
        self.fixture = fixture
    }

    func problems(_ doc: String = "d") throws -> [VerificationProblem] {
        try StoreVerifier(store: store).verify(doc: doc).problems
    }

    @Test func anIntactStoreHasNoProblems() throws {
        let verifier = StoreVerifier(store: store)
        #expect(try verifier.documentIDs() == ["d", "e"])
        let result = try verifier.verify(doc: "d")
        #expect(result == DocumentVerification(doc: "d", replayedVersion: 30, snapshotsChecked: 3, problems: []))
        #expect(try verifier.verify(doc: "e").isIntact)
    }

    @Test func pagingDoesNotChangeTheResult() throws {
        var verifier = StoreVerifier(store: store)
        verifier.pageSize = 4
        #expect(try verifier.verify(doc: "d").problems == [])
    }

    @Test func gapInVersions() throws {
        try store.database.execute("DELETE FROM ops WHERE doc = 'd' AND version = 12")
        let result = try StoreVerifier(store: store).verify(doc: "d")
        #expect(result.problems == [.missingVersion(expected: 12, found: 13)])
        #expect(result.replayedVersion == 12)
        #expect(result.snapshotsChecked == 1)
    }

    @Test func missingOpsAtTheEnd() throws {
        try store.database.execute("DELETE FROM ops WHERE doc = 'e' AND version = 2")
        #expect(try problems("e") == [.missingVersion(expected: 2, found: nil)])
    }

    @Test func undecodableOp() throws {
        try store.database.execute("UPDATE ops SET op = '[3,\"x\"' WHERE doc = 'e' AND version = 1")
        let found = try problems("e")
        #expect(found.count == 1)
        guard case .undecodableOp(version: 1, let reason)? = found.first else {
            Issue.record("expected an undecodable op, got \(found)")
            return
        }
        #expect(reason.hasPrefix("invalid JSON"))
    }

    @Test func opThatDoesNotFit() throws {
        try store.database.execute("UPDATE ops SET op = '[99,\"x\"]' WHERE doc = 'e' AND version = 1")
        #expect(try problems("e") == [.opDoesNotApply(version: 1, reason: "skipPastEnd(end: 99, documentLength: 3)")])
    }

    @Test func snapshotChecksumMismatch() throws {
        try store.database.execute("UPDATE snapshots SET checksum = 'fnv1a64:0000000000000000' WHERE doc = 'd' AND version = 20")
        #expect(try problems() == [.snapshotChecksumMismatch(
            version: 20, stored: "fnv1a64:0000000000000000", computed: Snapshot.checksum(of: fixture.texts[20]))])
    }

    @Test func snapshotTextMismatch() throws {
        // Text and checksum changed together: the checksum holds, the replay disagrees.
        let wrong = fixture.texts[10] + "!"
        try store.database.execute("""
            UPDATE snapshots SET text = '\(wrong.replacingOccurrences(of: "'", with: "''"))',
                checksum = '\(Snapshot.checksum(of: wrong))' WHERE doc = 'd' AND version = 10
            """)
        #expect(try problems() == [.snapshotTextMismatch(
            version: 10, snapshot: Snapshot.checksum(of: wrong), replayed: Snapshot.checksum(of: fixture.texts[10]))])
    }

    @Test func snapshotPastTheLastVersion() throws {
        try store.saveSnapshot(Snapshot(doc: "e", version: 7, text: "x", createdAt: 0))
        #expect(try problems("e") == [.snapshotBeyondHistory(version: 7, lastVersion: 3)])
    }

    @Test func storedLengthAndDeletedText() throws {
        try store.database.execute("UPDATE ops SET length = 5 WHERE doc = 'e' AND version = 0")
        try store.database.execute("UPDATE ops SET deleted = '[\"nope\"]' WHERE doc = 'e' AND version = 2")
        #expect(try problems("e") == [.opLengthMismatch(version: 0, stored: 5, replayed: 3),
                                      .deletedTextMismatch(version: 2)])
    }

    @Test func documentsRow() throws {
        try store.database.execute("UPDATE documents SET length = 1, author_count = 9 WHERE id = 'e'")
        #expect(try problems("e") == [.documentRowMismatch(field: "length", stored: "1", replayed: "3"),
                                      .documentRowMismatch(field: "author_count", stored: "9", replayed: "1")])
        try store.database.execute("DELETE FROM documents WHERE id = 'e'")
        #expect(try problems("e") == [.documentRowMissing])
        try store.database.execute("""
            INSERT INTO documents (id, version, length, author_count, created_at, updated_at)
            VALUES ('ghost', 3, 0, 1, 0, 0)
            """)
        #expect(try StoreVerifier(store: store).documentIDs() == ["d", "e", "ghost"])
        #expect(try problems("ghost") == [.documentRowWithoutOps])
    }
}
