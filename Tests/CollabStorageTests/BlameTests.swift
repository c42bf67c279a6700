import CollabOT
import Testing
@testable import CollabStorage
import CollabTestSupport

@Suite struct BlameTests {
    let directory: TemporaryDirectory
    let store: SQLiteOpStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try SQLiteOpStore.openForWriting(path: directory.path())
    }

    @Test func twoUsersEditingAcrossLines() throws {
        var fixture = OpLogFixture(doc: "notes")
        fixture.add([.insert("hello\nworld\n")], user: "ada")                      // v0
        fixture.add([.retain(6), .insert("big ")], user: "bob", client: "client-bob") // v1: "big world"
        fixture.add([.retain(16), .insert("bye\n")], user: "ada")                  // v2: a third line
        fixture.add([.retain(3), .delete(2)], user: "bob", client: "client-bob")   // v3: "hel": a deletion only
        fixture.add([.retain(3), .delete(1)], user: "ada")                         // v4: joins lines 1 and 2
        fixture.add([.retain(14), .insert("\n")], user: "bob", client: "client-bob") // v5: splits "bye"
        fixture.add(TextOperation.noop, user: "carol", client: "client-carol")    // v6: emptied by transform
        try store.append(fixture.records)
        #expect(fixture.text == "helbig world\nb\nye\n")

        let lines = try Blame.lines(store: store, doc: "notes")
        let ts = fixture.records.map(\.ts)
        #expect(lines == [
            BlameLine(number: 1, text: "helbig world", version: 1, user: "bob", ts: ts[1]),
            BlameLine(number: 2, text: "b", version: 5, user: "bob", ts: ts[5]),
            BlameLine(number: 3, text: "ye", version: 2, user: "ada", ts: ts[2]),
        ])
    }

    @Test func lastLineWithoutLineFeedAndEmptyLines() throws {
        var fixture = OpLogFixture(doc: "d")
        fixture.add([.insert("a\n\nb")], user: "ada")
        fixture.add([.retain(2), .insert("é")], user: "bob", client: "client-bob")
        try store.append(fixture.records)
        let lines = try Blame.lines(store: store, doc: "d")
        #expect(lines.map(\.text) == ["a", "é", "b"])
        #expect(lines.map(\.version) == [0, 1, 0])
        #expect(lines.map(\.user) == ["ada", "bob", "ada"])
    }

    @Test func unknownDocument() throws {
        #expect(throws: DocumentHistoryError.unknownDocument("none")) {
            try Blame.lines(store: store, doc: "none")
        }
    }

    /// Every character's author, one entry per character, against the run-length encoding.
    @Test(arguments: [UInt64(7), 8, 9])
    func attributionRunsMatchAPerCharacterModel(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var runs = AttributionRuns()
        var model: [Int] = []
        for version in 0..<3_000 {
            // Mostly inserts, so the text (and the number of runs) grows past several blocks.
            let op = OpLogFixture.randomOp(length: model.count, using: &random)
            try runs.apply(op, version: version)
            var position = 0
            for component in op.components {
                switch component {
                case .retain(let n):
                    position += n
                case .insert(let text):
                    let n = text.unicodeScalars.count
                    model.insert(contentsOf: repeatElement(version, count: n), at: position)
                    position += n
                case .delete(let n):
                    model.removeSubrange(position..<position + n)
                }
            }
            #expect(runs.count == model.count, "seed \(seed), version \(version)")
        }
        let expanded = runs.runs.flatMap { repeatElement($0.version, count: $0.length) }
        #expect(expanded == model, "seed \(seed)")
        #expect(runs.blocks.count > 1, "seed \(seed): the test should span several blocks")
        #expect(runs.runs.allSatisfy { $0.length > 0 })
    }

    @Test func anOpThatDoesNotFitChangesNothing() throws {
        var runs = AttributionRuns()
        try runs.apply(TextOperation(unchecked: [.insert("abc")]), version: 0)
        #expect(throws: TextOperationError.deletePastEnd(end: 5, documentLength: 3)) {
            try runs.apply(TextOperation(unchecked: [.retain(1), .insert("x"), .delete(4)]), version: 1)
        }
        #expect(runs.runs == [AttributionRuns.Run(length: 3, version: 0)])
    }
}
