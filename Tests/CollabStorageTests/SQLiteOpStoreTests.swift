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

/// What only SQLite's store does (WAL, read-only stores, history filters); the behaviour every
/// store shares is in `OpStoreConformanceTests`.
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
