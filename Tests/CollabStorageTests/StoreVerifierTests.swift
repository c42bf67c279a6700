import CollabOT
import Testing
@testable import CollabStorage
import CollabTestSupport

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

    // MARK: - clients table ("e": client-ada, seqs 1, 2, 3 at versions 0, 1, 2, all by ada)

    @Test func theClientsRowsCheckedAreTheOnesTheOpsImply() throws {
        #expect(try store.clients(doc: "e") == [ClientRecord(clientId: "client-ada", user: "ada", firstVersion: 0,
                                                             highestSeq: 3, highestVersion: 2)])
        // "d": one client id used by bob first, then by ada too; its owner is bob.
        #expect(try store.clients(doc: "d") == [ClientRecord(clientId: "client-ada", user: "bob", firstVersion: 0,
                                                             highestSeq: 30, highestVersion: 29)])
        #expect(try problems("d") == [])
        #expect(try problems("e") == [])
    }

    @Test func severalClientsVerifyClean() throws {
        var fixture = OpLogFixture(doc: "f")
        fixture.add([.insert("ab")], user: "ada", client: "c1")
        fixture.add([.retain(2), .insert("cd")], user: "bob", client: "c2")
        fixture.add([.retain(4), .insert("ef")], user: "ada", client: "c1")
        fixture.add([.delete(1), .retain(5)], user: "cy", client: "c3")
        fixture.add([.retain(5), .insert("g")], user: "bob", client: "c2")
        try store.append(fixture.records)
        #expect(try store.clients(doc: "f").map(\.clientId) == ["c1", "c2", "c3"])
        var verifier = StoreVerifier(store: store)
        verifier.pageSize = 2
        #expect(try verifier.verify(doc: "f") == DocumentVerification(doc: "f", replayedVersion: 5,
                                                                        snapshotsChecked: 0, problems: []))
    }

    @Test func clientHighestSeq() throws {
        try store.database.execute("UPDATE clients SET highest_seq = 2 WHERE doc = 'e'")
        #expect(try problems("e") == [.clientHighestSeqMismatch(clientId: "client-ada", stored: 2, replayed: 3)])
    }

    @Test func clientHighestVersion() throws {
        try store.database.execute("UPDATE clients SET highest_version = 1 WHERE doc = 'e'")
        #expect(try problems("e") == [.clientHighestVersionMismatch(clientId: "client-ada", stored: 1, replayed: 2)])
    }

    @Test func clientUser() throws {
        try store.database.execute("UPDATE clients SET user = 'mallory' WHERE doc = 'e'")
        #expect(try problems("e") == [.clientUserMismatch(clientId: "client-ada", stored: "mallory", replayed: "ada")])
    }

    @Test func clientFirstVersion() throws {
        try store.database.execute("UPDATE clients SET first_version = 1 WHERE doc = 'e'")
        #expect(try problems("e") == [.clientFirstVersionMismatch(clientId: "client-ada", stored: 1, replayed: 0)])
    }

    @Test func everyWrongFieldOfOneRowIsReportedInColumnOrder() throws {
        try store.database.execute("""
            UPDATE clients SET user = 'x', first_version = 2, highest_seq = 9, highest_version = 0 WHERE doc = 'e'
            """)
        #expect(try problems("e") == [
            .clientUserMismatch(clientId: "client-ada", stored: "x", replayed: "ada"),
            .clientFirstVersionMismatch(clientId: "client-ada", stored: 2, replayed: 0),
            .clientHighestSeqMismatch(clientId: "client-ada", stored: 9, replayed: 3),
            .clientHighestVersionMismatch(clientId: "client-ada", stored: 0, replayed: 2),
        ])
    }

    @Test func clientRowMissing() throws {
        try store.database.execute("DELETE FROM clients WHERE doc = 'e'")
        #expect(try problems("e") == [.clientRowMissing(clientId: "client-ada")])
    }

    @Test func clientRowWithoutOps() throws {
        try store.database.execute("""
            INSERT INTO clients (doc, client_id, user, first_version, highest_seq, highest_version)
            VALUES ('e', 'client-zed', 'zed', 0, 1, 0), ('orphan', 'client-ada', 'ada', 0, 1, 0)
            """)
        #expect(try problems("e") == [.clientRowWithoutOps(clientId: "client-zed")])
        // A document known only from the clients table is still verified.
        #expect(try StoreVerifier(store: store).documentIDs() == ["d", "e", "orphan"])
        #expect(try StoreVerifier(store: store).verify(doc: "orphan") == DocumentVerification(
            doc: "orphan", replayedVersion: 0, snapshotsChecked: 0,
            problems: [.clientRowWithoutOps(clientId: "client-ada")]))
    }

    @Test func clientSeqGoingBackwards() throws {
        // Seqs 2, 1, 3: the row (owner ada, first 0, highest 3 at 2) still matches the ops.
        try store.database.execute("UPDATE ops SET seq = 3 - seq WHERE doc = 'e' AND version < 2")
        #expect(try problems("e") == [.clientSeqNotIncreasing(clientId: "client-ada", version: 1, seq: 1,
                                                              previousVersion: 0, previousSeq: 2)])
        // Seqs 2, 2, 3: an equal seq does not increase either.
        try store.database.execute("UPDATE ops SET seq = 2 WHERE doc = 'e' AND version = 1")
        #expect(try problems("e") == [.clientSeqNotIncreasing(clientId: "client-ada", version: 1, seq: 2,
                                                              previousVersion: 0, previousSeq: 2)])
    }

    @Test func clientSeqGoingBackwardsMovesTheOwnerAndTheHighest() throws {
        // Seqs 3, 1, 2 with op 1 by bob: the owner is bob (lowest seq), the highest seq is at version 0.
        try store.database.execute("""
            UPDATE ops SET seq = CASE version WHEN 0 THEN 3 WHEN 1 THEN 1 ELSE 2 END,
                user = CASE version WHEN 1 THEN 'bob' ELSE user END WHERE doc = 'e'
            """)
        #expect(try problems("e") == [
            .clientSeqNotIncreasing(clientId: "client-ada", version: 1, seq: 1, previousVersion: 0, previousSeq: 3),
            .documentRowMismatch(field: "author_count", stored: "1", replayed: "2"),
            .clientUserMismatch(clientId: "client-ada", stored: "ada", replayed: "bob"),
            .clientHighestVersionMismatch(clientId: "client-ada", stored: 2, replayed: 0),
        ])
    }

    @Test func clientsAreNotJudgedAgainstALogThatStopsEarly() throws {
        // The replay stops at the gap, before op 2: judged on op 0 alone the row would look wrong.
        try store.database.execute("DELETE FROM ops WHERE doc = 'e' AND version = 1")
        #expect(try problems("e") == [.missingVersion(expected: 1, found: 2)])
    }
}
