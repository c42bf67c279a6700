import Testing
@testable import CollabOT

/// The scalars of `string`, for comparisons that must not fold canonical equivalents.
private func scalars(_ string: String) -> [Unicode.Scalar] {
    Array(string.unicodeScalars)
}

/// Checks the tree's invariants and that every way of reading the rope agrees with `expected`.
/// Written with raw buffers because generic collection code is very slow in debug builds.
func expectRope(_ rope: Rope, equals expected: String, _ context: String = "",
                sourceLocation: SourceLocation = #_sourceLocation) {
    var expected = expected
    var actual = String(rope)
    let (scalarCount, newlineCount, bytesMatch) = expected.withUTF8 { want in
        var scalarCount = 0
        var newlineCount = 0
        for byte in want {
            if byte & 0xC0 != 0x80 { scalarCount += 1 }
            if byte == 0x0A { newlineCount += 1 }
        }
        return (scalarCount, newlineCount, actual.withUTF8 { Rope.bytesEqual($0, want) })
    }
    #expect(rope.root.invariantViolation(isRoot: true) == nil, "\(context)", sourceLocation: sourceLocation)
    #expect(rope.count == scalarCount, "\(context)", sourceLocation: sourceLocation)
    #expect(rope.utf8Count == expected.utf8.count, "\(context)", sourceLocation: sourceLocation)
    #expect(rope.newlineCount == newlineCount, "\(context)", sourceLocation: sourceLocation)
    #expect(bytesMatch, "\(context)", sourceLocation: sourceLocation)
    #expect(rope.isEqual(to: expected), "\(context)", sourceLocation: sourceLocation)
}

@Test func emptyRope() {
    let rope = Rope()
    expectRope(rope, equals: "")
    #expect(rope.isEmpty)
    #expect(rope.description == "")
    #expect(rope.substring(scalarRange: 0..<0) == "")
    var chunks = 0
    rope.forEachChunk { _ in chunks += 1 }
    #expect(chunks == 0)
    #expect(Array(rope.utf8Chunks).isEmpty)
    #expect(rope == Rope(""))
}

@Test func basicEditsCountScalars() {
    var rope = Rope("héllo wörld")
    #expect(rope.count == 11)
    #expect(rope.utf8Count == 13)
    rope.insert("👩‍👩‍👧‍👦", at: 5)  // 7 scalars: 4 emoji joined by 3 ZWJ
    expectRope(rope, equals: "héllo👩‍👩‍👧‍👦 wörld")
    rope.remove(scalarRange: 6..<8)  // cuts inside the grapheme cluster: scalars, not characters
    #expect(scalars(String(rope)) == scalars("héllo👩‍👧‍👦 wörld"))
    rope.replace(scalarRange: 0..<1, with: "H\r\n")
    #expect(String(rope).hasPrefix("H\r\né"))
    #expect(rope.newlineCount == 1)
    rope.insert("!", at: rope.count)
    #expect(rope.substring(scalarRange: (rope.count - 3)..<rope.count) == "ld!")
    rope.replace(scalarRange: 0..<rope.count, with: "")
    expectRope(rope, equals: "")
}

@Test func combiningMarksAreSeparateScalars() {
    var rope = Rope("e\u{301}")
    #expect(rope.count == 2)
    #expect(rope.isEqual(to: "e\u{301}"))
    #expect(!rope.isEqual(to: "é"))  // canonically equivalent but different scalars
    rope.remove(scalarRange: 1..<2)
    expectRope(rope, equals: "e")
}

@Test func substringAcrossChunks() {
    let text = String(repeating: "abc日本語😀\n", count: 2_000)
    let rope = Rope(text)
    let all = scalars(text)
    for (lower, upper) in [(0, 1), (0, all.count), (1_000, 5_000), (all.count - 7, all.count), (4_321, 4_321)] {
        let got = rope.substring(scalarRange: lower..<upper)
        #expect(scalars(got) == Array(all[lower..<upper]), "\(lower)..<\(upper)")
    }
}

@Test func chunksCoverTheTextAndNeverSplitAScalar() {
    var rope = Rope(String(repeating: "x😀é中", count: 5_000))
    rope.insert(String(repeating: "🇫🇷", count: 700), at: 3_333)
    rope.remove(scalarRange: 100..<9_000)
    var joined: [UInt8] = []
    var chunkCount = 0
    rope.forEachChunk { chunk in
        #expect(!chunk.isEmpty)
        #expect(String(validating: chunk, as: UTF8.self) != nil)  // whole scalars only
        joined.append(contentsOf: chunk)
        chunkCount += 1
    }
    #expect(chunkCount > 1)
    #expect(joined == Array(String(rope).utf8))
    let sequenced = rope.utf8Chunks.flatMap { $0 }
    #expect(sequenced == joined)
    #expect(Array(rope.utf8Chunks).count == chunkCount)
}

@Test func forEachChunkPropagatesTypedErrors() {
    struct Stop: Error {}
    let rope = Rope(String(repeating: "abcdef", count: 1_000))
    var seen = 0
    #expect(throws: Stop.self) {
        try rope.forEachChunk { (_: UnsafeBufferPointer<UInt8>) throws(Stop) in
            seen += 1
            if seen == 2 { throw Stop() }
        }
    }
    #expect(seen == 2)
}

@Test func equalityIgnoresChunkBoundaries() {
    let text = String(repeating: "chunk 😀 boundaries\n", count: 600)
    let built = Rope(text)
    var typed = Rope()
    for scalar in text.unicodeScalars {
        typed.insert(String(scalar), at: typed.count)
    }
    #expect(built == typed)
    #expect(typed == built)
    var changed = typed
    changed.replace(scalarRange: 5_000..<5_001, with: "#")
    #expect(changed != built)  // same counts, one byte differs
    #expect(changed.utf8Count == built.utf8Count)
    var sameLength = built
    sameLength.replace(scalarRange: 0..<1, with: "C")
    #expect(sameLength.utf8Count == built.utf8Count)
    #expect(sameLength != built)
    #expect(!built.isEqual(to: text + "x"))
    #expect(!built.isEqual(to: "C" + String(text.dropFirst())))
    let literal: Rope = "abc"
    #expect(literal == Rope("abc"))
    #expect(literal != Rope("abd"))
}

@Test func copiesAreIndependent() {
    let text = String(repeating: "copy on write ✓\n", count: 5_000)  // a multi-level tree
    let original = Rope(text)
    #expect(original.root.height >= 2)

    var copy = original
    copy.insert("INSERTED", at: 40_000)
    copy.remove(scalarRange: 10..<20_000)
    expectRope(original, equals: text)

    var second = copy
    let secondBefore = String(second)
    copy.replace(scalarRange: 0..<copy.count, with: "gone")
    expectRope(copy, equals: "gone")
    expectRope(second, equals: secondBefore)
    second.insert("z", at: 0)
    expectRope(original, equals: text)

    var applied = original
    try? applied.apply(TextOperation(unchecked: [.retain(3), .delete(5), .insert("Q")]))
    #expect(applied.count == original.count - 4)
    expectRope(original, equals: text)
}

@Test func largeDocumentStaysShallow() {
    let text = String(repeating: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n", count: 20_000)
    let rope = Rope(text)  // 1.26 MB
    #expect(rope.utf8Count == 1_260_000)
    #expect(rope.newlineCount == 20_000)
    #expect(rope.root.height <= 3)
    #expect(rope.root.invariantViolation(isRoot: true) == nil)
}
