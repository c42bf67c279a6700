import CollabOT
import CollabStorage
import CollabTestSupport
import Testing

/// `DocumentCopier` between every pair of store kinds (SQLite and PostgreSQL, either way and
/// each to its own kind): the copy holds everything stored about a document, a compacted one too.
@Suite(.postgresCluster)
struct DocumentCopierTests {
    /// "notes": 250 random ops by two clients, snapshots at 100 and 200, names at 30 and 150,
    /// compacted at 120 (snapshots left: 30, 120, 200); "plain": 5 ops.
    static func fill(_ store: any HistoryStore) throws -> OpLogFixture {
        var fixture = OpLogFixture(doc: "notes")
        var random = SplitMix64(seed: 77)
        for index in 0..<250 {
            var op = OpLogFixture.randomOp(length: fixture.text.unicodeScalars.count, using: &random)
            if op.isNoop { op = TextOperation(unchecked: [.insert("x")]) }
            fixture.add(op, user: index % 3 == 0 ? "bob" : "ada", client: index % 3 == 0 ? "client-bob" : "client-ada")
        }
        try store.append(fixture.records)
        for version in [100, 200] {
            try store.saveSnapshot(Snapshot(doc: "notes", version: version, text: fixture.texts[version], createdAt: 3))
        }
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "old", version: 30, user: "ada", createdAt: 4))
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "mid ✓", version: 150, user: "bob", createdAt: 5))
        _ = try store.compact(doc: "notes", horizon: 120, now: 6, dryRun: false)
        var plain = OpLogFixture(doc: "plain")
        for index in 0..<5 {
            plain.add([.retain(plain.text.unicodeScalars.count), .insert("line \(index)\n")], user: "cy", client: "client-cy")
        }
        try store.append(plain.records)
        return fixture
    }

    /// Everything the stores return about `doc` is the same in both.
    static func expectSame(_ doc: String, _ one: any HistoryStore, _ two: any HistoryStore) throws {
        #expect(try two.documentInfo(doc: doc) == one.documentInfo(doc: doc))
        #expect(try two.horizon(doc: doc) == one.horizon(doc: doc))
        #expect(try two.clients(doc: doc) == one.clients(doc: doc))
        #expect(try two.authors(doc: doc) == one.authors(doc: doc))
        #expect(try two.namedVersions(doc: doc) == one.namedVersions(doc: doc))
        #expect(try two.ops(doc: doc, from: 0, limit: 1_000) == one.ops(doc: doc, from: 0, limit: 1_000))
        let versions = try one.snapshotVersions(doc: doc)
        #expect(try two.snapshotVersions(doc: doc) == versions)
        for version in versions {
            #expect(try two.latestSnapshot(doc: doc, atOrBefore: version) == one.latestSnapshot(doc: doc, atOrBefore: version))
        }
        #expect(try StoreVerifier(store: one).verify(doc: doc).problems == [])
        #expect(try StoreVerifier(store: two).verify(doc: doc).problems == [])
    }

    @Test(arguments: StoreKind.available, StoreKind.available)
    func copiesEverythingStoredAboutADocument(from sourceKind: StoreKind, to destinationKind: StoreKind) throws {
        let source = try sourceKind.makeStore()
        let destination = try destinationKind.makeStore()
        defer { withExtendedLifetime((source, destination)) {} }
        let fixture = try Self.fill(source.store)
        var copier = DocumentCopier(from: source.store, to: destination.store)
        copier.batchSize = 64  // 130 ops after the horizon: three appends

        let report = try copier.copy("notes", replacing: false)
        #expect(report == DocumentCopyReport(doc: "notes", version: 250, ops: 130, snapshots: 3, namedVersions: 2,
                                             clients: 2, horizon: 120, replaced: false))
        #expect(try copier.copy("plain", replacing: false).ops == 5)
        for doc in ["notes", "plain"] {
            try Self.expectSame(doc, source.store, destination.store)
        }
        #expect(try destination.store.listDocuments() == source.store.listDocuments())
        #expect(String(try DocumentHistory(store: destination.store, doc: "notes").text(atNamedVersion: 30))
                == fixture.texts[30])

        // Present at the destination: refused, then replaced.
        #expect(throws: DocumentCopyError.documentExists(doc: "notes", version: 250)) {
            try copier.copy("notes", replacing: false)
        }
        #expect(try copier.copy("notes", replacing: true).replaced)
        try Self.expectSame("notes", source.store, destination.store)
        #expect(throws: DocumentCopyError.unknownDocument("ghost")) { try copier.copy("ghost", replacing: false) }

        // The copy takes the clients' next ops, and refuses their old seqs.
        var next = fixture
        next.add([.insert("after ")], user: "bob", client: "client-bob")
        try destination.store.append([next.records[250]])
        #expect(try destination.store.documentInfo(doc: "notes")?.authorCount == 2)  // bob is a known author
        #expect(throws: StorageError.duplicate(doc: "notes", clientId: "client-bob", seq: 1)) {
            var stale = next.records[250]
            stale.version = 251
            stale.seq = 1
            try destination.store.append([stale])
        }
    }
}
