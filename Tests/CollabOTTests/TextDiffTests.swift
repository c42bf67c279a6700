import CollabOT
import Testing

/// `TextDiff` (the op between two versions) and `UnifiedDiff` (the same for people).
@Suite struct TextDiffTests {
    /// Scalars the op keeps (retains), and scalars it deletes and inserts.
    static func counts(_ operation: TextOperation) -> (kept: Int, deleted: Int, inserted: Int) {
        var kept = 0, deleted = 0, inserted = 0
        for component in operation.components {
            switch component {
            case .retain(let n): kept += n
            case .delete(let n): deleted += n
            case .insert(let text): inserted += text.unicodeScalars.count
            }
        }
        return (kept, deleted, inserted)
    }

    static func commonAffixes(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        var prefix = 0
        while prefix < x.count && prefix < y.count && x[prefix] == y[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < x.count - prefix && suffix < y.count - prefix && x[x.count - 1 - suffix] == y[y.count - 1 - suffix] {
            suffix += 1
        }
        return prefix + suffix
    }

    /// The law: applying diff(A, B) to A gives B, for unrelated texts and for B made from A by
    /// a few random edits (then the diff is no larger than those edits); it always keeps at
    /// least the common prefix and suffix.
    @Test func applyingTheDiffGivesTheTarget() throws {
        for seed in UInt64(1)...3_000 {
            var random = TextOperationTestRandom(seed: seed)
            let a = random.text(pieces: random.int(0...40))
            var b: String
            var edited = 0
            if seed % 3 == 0 {
                b = random.text(pieces: random.int(0...40))
                edited = Int.max
            } else {
                b = a
                for _ in 0..<random.int(1...4) {
                    let operation = random.operation(documentLength: b.unicodeScalars.count)
                    let (_, deleted, inserted) = Self.counts(operation)
                    edited += deleted + inserted
                    b = try operation.apply(to: b)
                }
            }
            let diff = TextDiff.operation(from: a, to: b)
            #expect(try diff.apply(to: a) == b, "seed \(seed)")
            let (_, deleted, inserted) = Self.counts(diff)
            #expect(a.unicodeScalars.count - deleted >= Self.commonAffixes(a, b), "seed \(seed)")
            if edited != Int.max { #expect(deleted + inserted <= edited, "seed \(seed)") }
        }
    }

    @Test func keepsUnchangedSpansBetweenChanges() throws {
        let diff = TextDiff.operation(from: "the quick brown fox", to: "the slow brown dog")
        #expect(try diff.apply(to: "the quick brown fox") == "the slow brown dog")
        // " brown " survives: a restore does not move a cursor sitting in it.
        #expect(diff.components.contains(.retain(7)) || Self.counts(diff).kept >= 11)
        #expect(TextDiff.operation(from: "same", to: "same").isNoop)
        #expect(try TextDiff.operation(from: "", to: "👍🏽\r\n").apply(to: "") == "👍🏽\r\n")
        #expect(try TextDiff.operation(from: "a👍b", to: "").apply(to: "a👍b") == "")
    }

    @Test func largeRewritesFallBackAndStayCorrect() throws {
        var random = TextOperationTestRandom(seed: 99)
        let a = (0..<3_000).map { _ in random.text(pieces: random.int(0...6)) + "\n" }.joined()
        let b = (0..<3_000).map { _ in random.text(pieces: random.int(0...6)) + "\n" }.joined()
        #expect(try TextDiff.operation(from: a, to: b).apply(to: a) == b)
        // Many small changes spread over many lines: past the scalar limit, by lines.
        let lines = (0..<5_000).map { "line \($0)\n" }
        let edited = lines.enumerated().map { $0.offset % 10 == 0 ? "LINE \($0.offset)\n" : $0.element }
        let diff = TextDiff.operation(from: lines.joined(), to: edited.joined())
        #expect(try diff.apply(to: lines.joined()) == edited.joined())
        // The 4,500 untouched lines (but the last, an implicit trailing retain) are kept.
        #expect(Self.counts(diff).kept >= 4_499 * 9)
    }

    // MARK: - Unified

    @Test func unifiedKnownCases() {
        #expect(UnifiedDiff.render(from: "a\n", to: "a\n", oldLabel: "d@1", newLabel: "d@2") == "")
        #expect(UnifiedDiff.render(from: "", to: "hello\n", oldLabel: "d@0", newLabel: "d@1") == """
            --- d@0
            +++ d@1
            @@ -0,0 +1 @@
            +hello

            """)
        // No newline at the end of either side, an emoji, and a CR kept in its line.
        #expect(UnifiedDiff.render(from: "one\r\ntwo 👍", to: "one\r\ntwo 👍🏽\nthree", oldLabel: "d@3",
                                   newLabel: "d@5") == """
            --- d@3
            +++ d@5
            @@ -1,2 +1,3 @@
             one\r
            -two 👍
            \\ No newline at end of file
            +two 👍🏽
            +three
            \\ No newline at end of file

            """)
        // Far-apart changes make two hunks with three lines of context each.
        let old = (1...20).map { "\($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "2\n3\n", with: "2\nthree\n")
            .replacingOccurrences(of: "\n18\n", with: "\n18\neighteen and a half\n")
        #expect(UnifiedDiff.render(from: old, to: new, oldLabel: "n@1", newLabel: "n@2") == """
            --- n@1
            +++ n@2
            @@ -1,6 +1,6 @@
             1
             2
            -3
            +three
             4
             5
             6
            @@ -16,5 +16,6 @@
             16
             17
             18
            +eighteen and a half
             19
             20

            """)
    }

    @Test func unifiedColoursOnlyWhenAsked() {
        let plain = UnifiedDiff.render(from: "a\n", to: "b\n", oldLabel: "x@1", newLabel: "x@2")
        let colored = UnifiedDiff.render(from: "a\n", to: "b\n", oldLabel: "x@1", newLabel: "x@2", colored: true)
        #expect(!plain.contains("\u{1B}"))
        #expect(colored.contains("\u{1B}[31m-a\u{1B}[0m") && colored.contains("\u{1B}[32m+b\u{1B}[0m"))
    }
}
