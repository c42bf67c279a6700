import Foundation
import Testing
@testable import CollabStorage
import CollabTestSupport

/// An op record with made-up but consistent contents.
func record(_ doc: String, _ version: Int, client: String = "client-A", seq: Int? = nil,
            user: String = "ada", ts: Int64? = nil) -> OpRecord {
    OpRecord(doc: doc, version: version, clientId: client, seq: seq ?? version + 1, user: user,
             ts: ts ?? 1_763_800_000_000 + Int64(version) * 1_000, length: version + 1,
             opJSON: #"[\#(version),"x"]"#, deletedJSON: version % 2 == 0 ? "[]" : #"["é\""]"#)
}

@Suite struct SQLiteOpStoreTests {
    let directory: TemporaryDirectory
    let store: SQLiteOpStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteOpStore.openForWriting(path: directory.path())
    }

    @Test func writeConnectionUsesWALAndFullSync() throws {
        #expect(try store.database.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try store.database.scalarText("PRAGMA synchronous") == "2")  // FULL
    }

    @Test func roundTripsRecordsInVersionOrder() throws {
        let records = (0..<10).map { record("doc-1", $0) }
        try store.append(Array(records[0..<4]))
        try store.append(Array(records[4...]))
        #expect(try store.ops(doc: "doc-1", from: 0, limit: 100) == records)
        #expect(try store.ops(doc: "doc-1", from: 6, limit: 3) == Array(records[6..<9]))
        #expect(try store.ops(doc: "doc-1", from: 10, limit: 3) == [])
        #expect(try store.ops(doc: "doc-1", from: 0, limit: 0) == [])
        #expect(try store.ops(doc: "other", from: 0, limit: 10) == [])
        #expect(try store.currentVersion(doc: "doc-1") == 10)
        #expect(try store.currentVersion(doc: "other") == 0)
    }

    @Test func duplicateClientSeqIsTypedAndRollsTheBatchBack() throws {
        try store.append([record("d", 0, seq: 1), record("d", 1, seq: 2)])
        let batch = [record("d", 2, seq: 3), record("d", 3, seq: 2), record("e", 0, seq: 1)]
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "client-A", seq: 2)) {
            try store.append(batch)
        }
        #expect(try store.currentVersion(doc: "d") == 2)
        #expect(try store.ops(doc: "d", from: 0, limit: 10).count == 2)
        #expect(try store.documentInfo(doc: "e") == nil)
        // The same seq from another client is no duplicate.
        try store.append([record("d", 2, client: "client-B", seq: 2)])
        #expect(try store.currentVersion(doc: "d") == 3)
        // Seqs only grow: one below the highest is refused even if it was never stored (a gap).
        try store.append([record("d", 3, client: "client-B", seq: 7)])
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "client-B", seq: 5)) {
            try store.append([record("d", 4, client: "client-B", seq: 5)])
        }
        #expect(try store.client(doc: "d", clientId: "client-B")
                == ClientRecord(clientId: "client-B", user: "ada", firstVersion: 2, highestSeq: 7, highestVersion: 3))
    }

    @Test func versionsMustBeGapFree() throws {
        try store.append([record("d", 0)])
        #expect(throws: StorageError.versionConflict(doc: "d", expected: 1, found: 2)) {
            try store.append([record("d", 2)])
        }
        #expect(throws: StorageError.versionConflict(doc: "d", expected: 1, found: 0)) {
            try store.append([record("d", 0, seq: 99)])
        }
        #expect(throws: StorageError.versionConflict(doc: "new", expected: 0, found: 1)) {
            try store.append([record("new", 1)])
        }
        #expect(throws: StorageError.versionConflict(doc: "d", expected: 2, found: 3)) {
            try store.append([record("d", 1), record("d", 3)])
        }
        #expect(try store.currentVersion(doc: "d") == 1)
    }

    @Test func exactlyOnceLookups() throws {
        try store.append([record("d", 0, client: "c1", seq: 5, user: "ada"),
                          record("d", 1, client: "c2", seq: 1, user: "bob"),
                          record("d", 2, client: "c1", seq: 9, user: "ada")])
        #expect(try store.op(doc: "d", clientId: "c1", seq: 9) == record("d", 2, client: "c1", seq: 9, user: "ada"))
        #expect(try store.op(doc: "d", clientId: "c1", seq: 6) == nil)  // a gap
        #expect(try store.op(doc: "d", clientId: "c1", seq: 5) == record("d", 0, client: "c1", seq: 5, user: "ada"))
        #expect(try store.op(doc: "d", clientId: "c1", seq: 4) == nil)  // before its first
        #expect(try store.op(doc: "d", clientId: "c1", seq: 10) == nil)  // above its highest
        #expect(try store.op(doc: "d", clientId: "c2", seq: 1) == record("d", 1, client: "c2", seq: 1, user: "bob"))
        #expect(try store.op(doc: "other", clientId: "c1", seq: 9) == nil)
        #expect(try store.client(doc: "d", clientId: "c1")?.highestSeq == 9)
        #expect(try store.client(doc: "d", clientId: "c3")?.highestSeq == nil)
        #expect(try store.client(doc: "d", clientId: "c2")?.user == "bob")
        #expect(try store.client(doc: "other", clientId: "c2")?.user == nil)
        #expect(try store.client(doc: "d", clientId: "c1")
                == ClientRecord(clientId: "c1", user: "ada", firstVersion: 0, highestSeq: 9, highestVersion: 2))
    }

    /// The walk back from a client's highest version finds every stored seq among many
    /// interleaved clients, and nothing for the seqs it skipped (seeded, repeatable).
    @Test func exactlyOnceLookupsAmongInterleavedClients() throws {
        var random = SplitMix64(seed: 0x5EC5)
        var stored: [String: [Int: Int]] = [:]  // client -> seq -> version
        var highest: [String: Int] = [:]
        var records: [OpRecord] = []
        for version in 0..<600 {
            let client = "c\(random.next() % 7)"
            let seq = (highest[client] ?? 0) + 1 + Int(random.next() % 3)  // gaps of 0-2
            highest[client] = seq
            stored[client, default: [:]][seq] = version
            records.append(record("d", version, client: client, seq: seq))
        }
        try store.append(records)
        for (client, seqs) in stored {
            for seq in 0...(highest[client]! + 1) {
                #expect(try store.op(doc: "d", clientId: client, seq: seq)?.version == seqs[seq])
            }
        }
    }

    @Test func documentSummaryIsKeptCurrent() throws {
        try store.append([record("b", 0, user: "ada", ts: 1_000), record("b", 1, user: "bob", ts: 2_000)])
        try store.append([record("b", 2, user: "ada", ts: 3_000), record("a", 0, user: "cy", ts: 5_000)])
        #expect(try store.documentInfo(doc: "b")
            == DocumentInfo(id: "b", version: 3, length: 3, authorCount: 2, createdAt: 1_000, updatedAt: 3_000))
        #expect(try store.listDocuments().map(\.id) == ["a", "b"])
        #expect(try store.listDocuments().first
            == DocumentInfo(id: "a", version: 1, length: 1, authorCount: 1, createdAt: 5_000, updatedAt: 5_000))
    }

    @Test func versionAtTimeAndHistoryFilters() throws {
        try store.append([record("d", 0, user: "ada", ts: 100), record("d", 1, user: "bob", ts: 200),
                          record("d", 2, user: "ada", ts: 300)])
        #expect(try store.version(doc: "d", atOrBefore: 99) == 0)
        #expect(try store.version(doc: "d", atOrBefore: 100) == 1)
        #expect(try store.version(doc: "d", atOrBefore: 250) == 2)
        #expect(try store.version(doc: "d", atOrBefore: 10_000) == 3)
        #expect(try store.history(doc: "d", limit: 10, user: "ada").map(\.version) == [0, 2])
        #expect(try store.history(doc: "d", limit: 10, since: 200).map(\.version) == [1, 2])
        #expect(try store.history(doc: "d", from: 1, limit: 1, user: "ada").map(\.version) == [2])
    }

    /// The binary search by time (no time index since migration 2) against a linear scan,
    /// with runs of equal times and another document's ops interleaved.
    @Test func versionAtTimeMatchesALinearScan() throws {
        let times: [Int64] = (0..<61).map { 1_000 + Int64($0 / 3) * 10 }
        for start in stride(from: 0, to: times.count, by: 7) {
            let end = min(start + 7, times.count)
            try store.append((start..<end).map { record("long", $0, seq: $0 + 1, ts: times[$0]) })
            try store.append([record("noise", start / 7, seq: start / 7 + 1, ts: times[start] + 5)])
        }
        for ts in Int64(990)...1_210 {
            let expected = times.lastIndex { $0 <= ts }.map { $0 + 1 } ?? 0
            #expect(try store.version(doc: "long", atOrBefore: ts) == expected, "ts \(ts)")
        }
        #expect(try store.version(doc: "missing", atOrBefore: 5_000) == 0)
    }

    @Test func snapshotsSaveAndLatestAtOrBefore() throws {
        for version in [0, 1_000, 2_000] {
            try store.saveSnapshot(Snapshot(doc: "d", version: version, text: "text at \(version) ✓",
                                            createdAt: Int64(version)))
        }
        // A second save at a stored version keeps the first.
        try store.saveSnapshot(Snapshot(doc: "d", version: 1_000, text: "other", createdAt: 0))
        let middle = try #require(try store.latestSnapshot(doc: "d", atOrBefore: 1_999))
        #expect(middle.version == 1_000)
        #expect(middle.text == "text at 1000 ✓")
        #expect(middle.isIntact)
        #expect(try store.latestSnapshot(doc: "d", atOrBefore: nil)?.version == 2_000)
        #expect(try store.latestSnapshot(doc: "d", atOrBefore: 1_000)?.version == 1_000)
        #expect(try store.latestSnapshot(doc: "e", atOrBefore: nil) == nil)
        #expect(try store.snapshotVersions(doc: "d") == [0, 1_000, 2_000])
        #expect(try store.database.scalarText("SELECT length FROM snapshots WHERE version = 1000") == "14")
    }

    @Test func readOnlyStoreSeesWritesAndCannotWrite() throws {
        try store.append([record("d", 0)])
        let reader = try SQLiteOpStore.openForReading(path: directory.path())
        #expect(try reader.currentVersion(doc: "d") == 1)
        try store.append([record("d", 1)])
        #expect(try reader.currentVersion(doc: "d") == 2)
        let error = #expect(throws: StorageError.self) { try reader.append([record("d", 2)]) }
        guard case .sqlite(let cause) = error else {
            Issue.record("expected an SQLite error, got \(String(describing: error))")
            return
        }
        #expect(cause.code == .readOnly)
    }
}

@Suite struct ChecksumTests {
    @Test func fnv1a64KnownAnswers() {
        // Published FNV-1a 64 test vectors.
        #expect(FNV1a64.hash("") == 0xCBF2_9CE4_8422_2325)
        #expect(FNV1a64.hash("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(FNV1a64.hash("foobar") == 0x8594_4171_F739_67E8)
        #expect(Snapshot.checksum(of: "a") == "fnv1a64:af63dc4c8601ec8c")
        #expect(Snapshot.checksum(of: "") == "fnv1a64:cbf29ce484222325")
        var chunked = FNV1a64()
        chunked.update("foo")
        chunked.update("bar")
        #expect(chunked.value == FNV1a64.hash("foobar"))
        var tampered = Snapshot(doc: "d", version: 1, text: "abc", createdAt: 0)
        #expect(tampered.isIntact)
        tampered.text = "abd"
        #expect(!tampered.isIntact)
    }
}
