import CollabOT
import CollabPostgresStorage
import CollabStorage
import CollabTestSupport
import Testing

/// The behaviour every `OpStore` must have, run against each implementation (`StoreKind`):
/// SQLite in a temporary directory, PostgreSQL in a fresh database of a throwaway cluster.
@Suite(.postgresCluster)
struct OpStoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func roundTripsRecordsInVersionOrder(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        let records = (0..<10).map { record("doc-1", $0) }
        try store.append(Array(records[0..<4]))
        try store.append(Array(records[4...]))
        try store.append([])
        #expect(try store.ops(doc: "doc-1", from: 0, limit: 100) == records)
        #expect(try store.ops(doc: "doc-1", from: 6, limit: 3) == Array(records[6..<9]))
        #expect(try store.ops(doc: "doc-1", from: 10, limit: 3) == [])
        #expect(try store.ops(doc: "doc-1", from: 0, limit: 0) == [])
        #expect(try store.ops(doc: "other", from: 0, limit: 10) == [])
        #expect(try store.currentVersion(doc: "doc-1") == 10)
        #expect(try store.currentVersion(doc: "other") == 0)
        #expect(try store.horizon(doc: "doc-1") == 0)
        #expect(try store.horizon(doc: "other") == 0)
    }

    @Test(arguments: StoreKind.available)
    func storesAwkwardTextByteForByteAndSeveralClientsAndDocumentsInOneAppend(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        // Quotes, backslashes, braces, commas, NULL-looking words and non-ASCII: what an array
        // literal or a CSV-ish encoding would get wrong.
        let awkward = #"we"ird \ {a,b} NULL "" é 😀"#
        var first = record("odd", 0, user: awkward)
        first.opJSON = #"[""}{,\\ NULL é😀"]"#
        first.deletedJSON = #"["{"x\\"}"]"#
        let batch = [first, record("odd", 1, client: "client-B", seq: 1, user: "bob"), record("odd", 2, seq: 2, user: awkward),
                     record("other", 0, client: "client-B", seq: 1, user: "bob"), record("odd", 3, client: "client-B", seq: 2, user: "bob")]
        try store.append(batch)
        #expect(try store.ops(doc: "odd", from: 0, limit: 10) == batch.filter { $0.doc == "odd" })
        #expect(try store.ops(doc: "other", from: 0, limit: 10) == [batch[3]])
        #expect(try store.client(doc: "odd", clientId: "client-A")
                == ClientRecord(clientId: "client-A", user: awkward, firstVersion: 0, highestSeq: 2, highestVersion: 2))
        #expect(try store.client(doc: "odd", clientId: "client-B")
                == ClientRecord(clientId: "client-B", user: "bob", firstVersion: 1, highestSeq: 2, highestVersion: 3))
        let info = try #require(try store.documentInfo(doc: "odd"))
        #expect(info.version == 4)
        #expect(info.authorCount == 2)
        #expect(try store.documentInfo(doc: "other")?.authorCount == 1)
    }

    @Test(arguments: StoreKind.available)
    func duplicateClientSeqIsTypedAndRollsTheBatchBack(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        try store.append([record("d", 0, seq: 1), record("d", 1, seq: 2)])
        let batch = [record("d", 2, seq: 3), record("d", 3, seq: 2), record("e", 0, seq: 1)]
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "client-A", seq: 2)) {
            try store.append(batch)
        }
        #expect(try store.currentVersion(doc: "d") == 2)
        #expect(try store.ops(doc: "d", from: 0, limit: 10).count == 2)
        #expect(try store.documentInfo(doc: "e") == nil)
        #expect(try store.client(doc: "d", clientId: "client-A")?.highestSeq == 2)
        // The same seq from another client is no duplicate.
        try store.append([record("d", 2, client: "client-B", seq: 2)])
        #expect(try store.currentVersion(doc: "d") == 3)
        // Seqs only grow: one below the highest is refused even if it was never stored (a gap).
        try store.append([record("d", 3, client: "client-B", seq: 7)])
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "client-B", seq: 5)) {
            try store.append([record("d", 4, client: "client-B", seq: 5)])
        }
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "client-B", seq: 7)) {
            try store.append([record("d", 4, client: "client-B", seq: 7)])
        }
        #expect(try store.client(doc: "d", clientId: "client-B")
                == ClientRecord(clientId: "client-B", user: "ada", firstVersion: 2, highestSeq: 7, highestVersion: 3))
        #expect(try store.ops(doc: "d", from: 0, limit: 10).map(\.version) == [0, 1, 2, 3])
        // After the refusals the store takes the next op as usual.
        try store.append([record("d", 4, client: "client-B", seq: 8)])
        #expect(try store.currentVersion(doc: "d") == 5)
    }

    @Test(arguments: StoreKind.available)
    func versionsMustBeGapFree(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
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
        // A conflict on one document rolls back the whole batch, other documents too.
        #expect(throws: StorageError.versionConflict(doc: "d", expected: 1, found: 5)) {
            try store.append([record("other", 0), record("d", 5)])
        }
        #expect(try store.currentVersion(doc: "d") == 1)
        #expect(try store.ops(doc: "d", from: 0, limit: 10).map(\.version) == [0])
        #expect(try store.documentInfo(doc: "other") == nil)
        #expect(try store.documentInfo(doc: "new") == nil)
        #expect(try store.client(doc: "d", clientId: "client-A")?.highestSeq == 1)
    }

    @Test(arguments: StoreKind.available)
    func exactlyOnceLookups(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
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
    @Test(arguments: StoreKind.available)
    func exactlyOnceLookupsAmongInterleavedClients(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
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

    @Test(arguments: StoreKind.available)
    func documentSummaryIsKeptCurrent(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        try store.append([record("b", 0, user: "ada", ts: 1_000), record("b", 1, user: "bob", ts: 2_000)])
        try store.append([record("b", 2, user: "ada", ts: 3_000), record("a", 0, user: "cy", ts: 5_000)])
        try store.append([record("b", 3, user: "dee", ts: 4_000)])
        #expect(try store.documentInfo(doc: "b")
            == DocumentInfo(id: "b", version: 4, length: 4, authorCount: 3, createdAt: 1_000, updatedAt: 4_000))
        #expect(try store.documentInfo(doc: "missing") == nil)
        // Byte order of ids, whatever the database's collation ("B" < "a" < "b" < "é").
        try store.append([record("B", 0, ts: 7_000), record("é", 0, ts: 8_000)])
        #expect(try store.listDocuments().map(\.id) == ["B", "a", "b", "é"])
        #expect(try store.listDocuments()[1]
            == DocumentInfo(id: "a", version: 1, length: 1, authorCount: 1, createdAt: 5_000, updatedAt: 5_000))
    }

    @Test(arguments: StoreKind.available)
    func versionAtTime(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        try store.append([record("d", 0, user: "ada", ts: 100), record("d", 1, user: "bob", ts: 200),
                          record("d", 2, user: "ada", ts: 300)])
        #expect(try store.version(doc: "d", atOrBefore: 99) == 0)
        #expect(try store.version(doc: "d", atOrBefore: 100) == 1)
        #expect(try store.version(doc: "d", atOrBefore: 250) == 2)
        #expect(try store.version(doc: "d", atOrBefore: 10_000) == 3)
    }

    /// Against a linear scan, with runs of equal times and another document's ops interleaved.
    @Test(arguments: StoreKind.available)
    func versionAtTimeMatchesALinearScan(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
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

    @Test(arguments: StoreKind.available)
    func snapshotsSaveAndLatestAtOrBefore(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        for version in [0, 1_000, 2_000] {
            try store.saveSnapshot(Snapshot(doc: "d", version: version, text: "text at \(version) ✓",
                                            createdAt: Int64(version)))
        }
        // A second save at a stored version keeps the first.
        try store.saveSnapshot(Snapshot(doc: "d", version: 1_000, text: "other", createdAt: 0))
        let middle = try #require(try store.latestSnapshot(doc: "d", atOrBefore: 1_999))
        #expect(middle == Snapshot(doc: "d", version: 1_000, text: "text at 1000 ✓", createdAt: 1_000))
        #expect(middle.isIntact)
        #expect(try store.latestSnapshot(doc: "d", atOrBefore: nil)?.version == 2_000)
        #expect(try store.latestSnapshot(doc: "d", atOrBefore: 1_000)?.version == 1_000)
        #expect(try store.latestSnapshot(doc: "d", atOrBefore: 999)?.version == 0)
        #expect(try store.latestSnapshot(doc: "e", atOrBefore: nil) == nil)
    }

    /// Texts survive byte for byte: astral scalars, combining marks, CRLF, quotes and
    /// backslashes, SQL metacharacters, in ids, client ids, users, ops and snapshots.
    @Test(arguments: StoreKind.available)
    func unicodeAndMetacharactersRoundTrip(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        let doc = "docs/ünï 😀'; DROP TABLE ops; --"
        let weird = OpRecord(doc: doc, version: 0, clientId: "cl'i\"ent\\1", seq: 1, user: "用户 e\u{301}",
                             ts: 1, length: 9, opJSON: #"["a\"b\\c 😀\r\n漢字 e\u0301"]"#,
                             deletedJSON: #"["\u0000-free but odd: \t"]"#)
        try store.append([weird])
        #expect(try store.ops(doc: doc, from: 0, limit: 1) == [weird])
        #expect(try store.op(doc: doc, clientId: weird.clientId, seq: 1) == weird)
        #expect(try store.client(doc: doc, clientId: weird.clientId)?.user == "用户 e\u{301}")
        #expect(try store.listDocuments().map(\.id) == [doc])
        let text = "e\u{301} 😀👍🏽 漢字\r\n'quoted' \"double\" \\ back $1 %s"
        try store.saveSnapshot(Snapshot(doc: doc, version: 1, text: text, createdAt: 2))
        let snapshot = try #require(try store.latestSnapshot(doc: doc, atOrBefore: nil))
        #expect(snapshot.text == text)
        #expect(snapshot.text.unicodeScalars.elementsEqual(text.unicodeScalars))
        #expect(snapshot.isIntact)
    }

    /// A 4 MiB snapshot and a 1 MiB op go in and come back whole.
    @Test(arguments: StoreKind.available)
    func largeValuesRoundTrip(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        let line = "The quick brown fox jumps over the lazy dög 😀\n"
        let big = String(repeating: line, count: 4 * 1024 * 1024 / line.utf8.count + 1)
        try store.saveSnapshot(Snapshot(doc: "big", version: 0, text: big, createdAt: 1))
        #expect(try store.latestSnapshot(doc: "big", atOrBefore: nil)?.text == big)
        let inserted = String(big.prefix(big.count / 4))
        let opJSON = "[\"" + inserted.replacingOccurrences(of: "\n", with: "\\n") + "\"]"
        let op = OpRecord(doc: "big", version: 0, clientId: "c", seq: 1, user: "ada", ts: 5,
                          length: inserted.unicodeScalars.count, opJSON: opJSON)
        try store.append([op])
        #expect(try store.ops(doc: "big", from: 0, limit: 1) == [op])
    }

    /// Op `ts` is kept as the record says (the caller's clock), not replaced by the store's.
    @Test(arguments: StoreKind.available)
    func keepsTheRecordsTimes(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }  // its connection or directory lives to the end
        let store = subject.store
        try store.append([record("d", 0, ts: 42), record("d", 1, ts: 1_999_999_999_999)])
        #expect(try store.ops(doc: "d", from: 0, limit: 2).map(\.ts) == [42, 1_999_999_999_999])
        #expect(try store.documentInfo(doc: "d")?.createdAt == 42)
        #expect(try store.documentInfo(doc: "d")?.updatedAt == 1_999_999_999_999)
    }

    @Test(arguments: StoreKind.available)
    func namesAreUniquePerDocumentAndListedInVersionOrder(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "draft 2", version: 200, user: "ada", createdAt: 5))
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "draft 1", version: 100, user: "bob", createdAt: 6))
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "Zürich 😀", version: 100, user: "cy", createdAt: 7))
        try store.addNamedVersion(NamedVersion(doc: "other", name: "draft 1", version: 1, user: "bob", createdAt: 7))
        #expect(throws: StorageError.nameTaken(doc: "notes", name: "draft 1")) {
            try store.addNamedVersion(NamedVersion(doc: "notes", name: "draft 1", version: 3, user: "cy", createdAt: 8))
        }
        #expect(try store.namedVersions(doc: "notes").map(\.name) == ["Zürich 😀", "draft 1", "draft 2"])
        #expect(try store.namedVersion(doc: "notes", name: "draft 1")
                == NamedVersion(doc: "notes", name: "draft 1", version: 100, user: "bob", createdAt: 6))
        #expect(try store.namedVersion(doc: "notes", name: "missing") == nil)
        #expect(try store.removeNamedVersion(doc: "notes", name: "draft 2"))
        #expect(try !store.removeNamedVersion(doc: "notes", name: "draft 2"))
        #expect(try store.namedVersions(doc: "notes").map(\.version) == [100, 100])
        #expect(try store.namedVersions(doc: "other").count == 1)
    }

    @Test(arguments: StoreKind.available)
    func purgeRemovesOneDocumentAndItsIdStartsAgain(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        try store.append([record("notes", 0, user: "ada"), record("notes", 1, user: "bob"), record("other", 0)])
        try store.saveSnapshot(Snapshot(doc: "notes", version: 2, text: "xy", createdAt: 1))
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "n", version: 1, user: "ada", createdAt: 5))
        #expect(try store.purge(doc: "notes"))
        #expect(try store.currentVersion(doc: "notes") == 0)
        #expect(try store.documentInfo(doc: "notes") == nil)
        #expect(try store.ops(doc: "notes", from: 0, limit: 10) == [])
        #expect(try store.namedVersions(doc: "notes") == [])
        #expect(try store.client(doc: "notes", clientId: "client-A") == nil)
        #expect(try store.latestSnapshot(doc: "notes", atOrBefore: nil) == nil)
        #expect(try !store.purge(doc: "notes"))
        #expect(try store.ops(doc: "other", from: 0, limit: 10) == [record("other", 0)])
        // The id starts again from version 0, with the same client's seqs and a fresh author count.
        try store.append([record("notes", 0, user: "cy")])
        #expect(try store.documentInfo(doc: "notes")?.authorCount == 1)
        #expect(try store.listDocuments().map(\.id) == ["notes", "other"])
    }

    /// Compaction folds the ops below the horizon away and keeps every text from it on, named
    /// versions below it readable by name; a dry run changes nothing (seeded random ops).
    @Test(arguments: StoreKind.available)
    func compactionKeepsEverythingFromTheHorizonOn(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        var fixture = OpLogFixture(doc: "notes")
        var random = SplitMix64(seed: 4)
        for index in 0..<300 {
            var op = OpLogFixture.randomOp(length: fixture.text.unicodeScalars.count, using: &random)
            if op.isNoop { op = TextOperation(unchecked: [.insert("x")]) }
            fixture.add(op, user: index % 3 == 0 ? "bob" : "ada", client: index % 3 == 0 ? "client-bob" : "client-ada")
        }
        try store.append(fixture.records)
        for version in stride(from: 50, through: 300, by: 50) {
            try store.saveSnapshot(Snapshot(doc: "notes", version: version, text: fixture.texts[version], createdAt: 1))
        }
        try store.append([record("other", 0)])
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "old", version: 77, user: "ada", createdAt: 5))
        func text(_ version: Int) throws -> String {
            String(try DocumentHistory(store: store, doc: "notes").text(atVersion: version))
        }

        let dryRun = try store.compact(doc: "notes", horizon: 120, now: 9, dryRun: true)
        #expect(dryRun.opsRemoved == 120 && dryRun.snapshotsRemoved == 2)
        #expect(try store.horizon(doc: "notes") == 0)
        #expect(try store.snapshotVersions(doc: "notes") == [50, 100, 150, 200, 250, 300])
        #expect(try text(0) == "")

        let report = try store.compact(doc: "notes", horizon: 120, now: 9, dryRun: false)
        #expect(report == CompactionReport(doc: "notes", previousHorizon: 0, horizon: 120, opsRemoved: 120,
                                           snapshotsRemoved: 2, bytesRemoved: dryRun.bytesRemoved))
        #expect(report.bytesRemoved > 0)
        #expect(try store.horizon(doc: "notes") == 120)
        #expect(try store.snapshotVersions(doc: "notes") == [77, 120, 150, 200, 250, 300])
        for version in 120...300 {
            #expect(try text(version) == fixture.texts[version], "version \(version)")
        }
        #expect(throws: DocumentHistoryError.versionGone(doc: "notes", requested: 119, horizon: 120)) { try text(119) }
        #expect(String(try DocumentHistory(store: store, doc: "notes").text(atNamedVersion: 77)) == fixture.texts[77])
        #expect(try store.ops(doc: "notes", from: 0, limit: 10).first?.version == 120)
        // Again at the same or a lower horizon: nothing; past the end: not found.
        #expect(try store.compact(doc: "notes", horizon: 120, now: 10, dryRun: false).opsRemoved == 0)
        #expect(try store.compact(doc: "notes", horizon: 50, now: 10, dryRun: false).horizon == 120)
        #expect(throws: DocumentHistoryError.versionNotFound(doc: "notes", requested: 301, current: 300)) {
            try store.compact(doc: "notes", horizon: 301, now: 10, dryRun: false)
        }
        #expect(try store.ops(doc: "other", from: 0, limit: 10) == [record("other", 0)])
        // New ops still append after a compaction.
        var next = fixture
        next.add([.insert("new ")])
        try store.append([next.records[300]])
        #expect(try text(301) == "new " + fixture.texts[300])
    }

    @Test(arguments: StoreKind.available)
    func historyFiltersByUserAndTimeAndListsClientsInByteOrder(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        try store.append([record("d", 0, client: "b-client", seq: 1, user: "ada", ts: 10),
                          record("d", 1, client: "B-client", seq: 1, user: "bob", ts: 20),
                          record("d", 2, client: "b-client", seq: 2, user: "ada", ts: 30),
                          record("e", 0, client: "b-client", seq: 1, user: "ada", ts: 40)])
        #expect(try store.history(doc: "d", from: 0, limit: 10, user: "ada", since: nil).map(\.version) == [0, 2])
        #expect(try store.history(doc: "d", from: 0, limit: 10, user: nil, since: 20).map(\.version) == [1, 2])
        #expect(try store.history(doc: "d", from: 1, limit: 10, user: "ada", since: 20).map(\.version) == [2])
        #expect(try store.history(doc: "d", from: 0, limit: 1, user: nil, since: nil).map(\.version) == [0])
        #expect(try store.history(doc: "d", from: 0, limit: 0, user: nil, since: nil) == [])
        #expect(try store.history(doc: "d", from: 0, limit: 10, user: "cy", since: nil) == [])
        #expect(try store.clients(doc: "d") == [
            ClientRecord(clientId: "B-client", user: "bob", firstVersion: 1, highestSeq: 1, highestVersion: 1),
            ClientRecord(clientId: "b-client", user: "ada", firstVersion: 0, highestSeq: 2, highestVersion: 2),
        ])
        #expect(try store.clients(doc: "nothing") == [])
    }

    /// Every id with a row anywhere `collab verify` looks, in byte order: a snapshot without
    /// ops counts, a name alone does not.
    @Test(arguments: StoreKind.available)
    func documentIDsCoverEveryTableInByteOrder(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        #expect(try store.documentIDs() == [])
        try store.append([record("b", 0), record("B", 0)])
        try store.saveSnapshot(Snapshot(doc: "a", version: 3, text: "abc", createdAt: 1))
        try store.addNamedVersion(NamedVersion(doc: "z", name: "n", version: 1, user: "ada", createdAt: 1))
        #expect(try store.documentIDs() == ["B", "a", "b"])
    }

    /// The rows `collab copy` writes verbatim: a summary written first makes appends continue
    /// at its version (a compacted document's ops start at its horizon); written after, it
    /// replaces what the appends derived, and the client and author rows are exactly those given.
    @Test(arguments: StoreKind.available)
    func writeDocumentRowsSetsTheSummaryClientsAndAuthorsVerbatim(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        let start = DocumentInfo(id: "c", version: 5, length: 3, authorCount: 0, createdAt: 10, updatedAt: 10)
        try store.writeDocumentRows(start, horizon: 5, clients: [], authors: [])
        #expect(try store.currentVersion(doc: "c") == 5)
        #expect(try store.horizon(doc: "c") == 5)
        #expect(throws: StorageError.versionConflict(doc: "c", expected: 5, found: 0)) {
            try store.append([record("c", 0)])
        }
        try store.append([record("c", 5, client: "client-B", seq: 3, user: "bob", ts: 50),
                          record("c", 6, client: "client-B", seq: 4, user: "bob", ts: 60)])
        #expect(try store.currentVersion(doc: "c") == 7)
        #expect(try store.documentInfo(doc: "c")?.createdAt == 10)
        #expect(try store.authors(doc: "c") == [DocumentAuthor(user: "bob", firstVersion: 5)])

        let final = DocumentInfo(id: "c", version: 7, length: 7, authorCount: 2, createdAt: 1, updatedAt: 60)
        let clients = [ClientRecord(clientId: "client-A", user: "ada", firstVersion: 0, highestSeq: 9, highestVersion: 4),
                       ClientRecord(clientId: "client-B", user: "bob", firstVersion: 2, highestSeq: 4, highestVersion: 6)]
        let authors = [DocumentAuthor(user: "ada", firstVersion: 0), DocumentAuthor(user: "bob", firstVersion: 2)]
        try store.writeDocumentRows(final, horizon: 5, clients: clients, authors: authors)
        #expect(try store.documentInfo(doc: "c") == final)
        #expect(try store.listDocuments() == [final])
        #expect(try store.horizon(doc: "c") == 5)
        #expect(try store.clients(doc: "c") == clients)
        #expect(try store.client(doc: "c", clientId: "client-A") == clients[0])
        #expect(try store.authors(doc: "c") == authors)
        #expect(try store.ops(doc: "c", from: 0, limit: 10).map(\.version) == [5, 6])
        // The stored seqs still guard exactly-once: client-A's 9 is taken, 10 appends; ada is
        // a known author, so the count stays, and a new one counts.
        #expect(throws: StorageError.duplicate(doc: "c", clientId: "client-A", seq: 9)) {
            try store.append([record("c", 7, client: "client-A", seq: 9)])
        }
        try store.append([record("c", 7, client: "client-A", seq: 10, user: "ada")])
        #expect(try store.documentInfo(doc: "c")?.authorCount == 2)
        try store.append([record("c", 8, client: "client-C", seq: 1, user: "cy")])
        #expect(try store.documentInfo(doc: "c")?.authorCount == 3)
        // Written again with fewer clients and authors, the others' rows go.
        try store.writeDocumentRows(final, horizon: 5, clients: [clients[1]], authors: [authors[1]])
        #expect(try store.clients(doc: "c") == [clients[1]])
        #expect(try store.authors(doc: "c") == [authors[1]])
    }

    /// Authors in byte order with their first versions; compaction keeps those whose ops it removed.
    @Test(arguments: StoreKind.available)
    func authorsAreKeptThroughCompaction(_ kind: StoreKind) throws {
        let subject = try kind.makeStore()
        defer { withExtendedLifetime(subject) {} }
        let store = subject.store
        var fixture = OpLogFixture(doc: "d")
        for (index, user) in ["bob", "Ada", "bob", "cy", "cy"].enumerated() {
            fixture.add([.retain(index), .insert("x")], user: user, client: "client-" + user)
        }
        try store.append(fixture.records)
        let expected = [DocumentAuthor(user: "Ada", firstVersion: 1), DocumentAuthor(user: "bob", firstVersion: 0),
                        DocumentAuthor(user: "cy", firstVersion: 3)]
        #expect(try store.authors(doc: "d") == expected)
        _ = try store.compact(doc: "d", horizon: 4, now: 1, dryRun: false)
        #expect(try store.authors(doc: "d") == expected)
        #expect(try store.authors(doc: "other") == [])
    }
}
