import Testing
@testable import CollabOT

/// A plain model of the text: an array of scalars, with its UTF-8 length kept alongside.
private struct TextModel {
    var scalars: [Unicode.Scalar] = []

    var string: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    mutating func insert(_ text: String, at offset: Int) {
        scalars.insert(contentsOf: text.unicodeScalars, at: offset)
    }

    mutating func remove(_ range: Range<Int>) {
        scalars.removeSubrange(range)
    }
}

/// Random inserts, deletes and replaces of mostly small, sometimes multi-KB size, checking
/// the rope against the model after every step.
private func runRandomEdits(seed: UInt64, steps: Int, alphabet: [String]) {
    var random = RopeTestGenerator(seed: seed)
    var rope = Rope()
    var model = TextModel()
    for step in 0..<steps {
        let context = "seed \(seed) step \(step)"
        let size: Int
        switch random.int(in: 0...99) {
        case 0..<80: size = random.int(in: 1...8)
        case 80..<95: size = random.int(in: 9...200)
        default: size = random.int(in: 500...4_000)
        }
        let length = model.scalars.count
        // Drift towards deleting once the text is large so it stays within ~10K scalars
        // (the full comparison each step dominates the test's time).
        let kind = random.int(in: 0...99) + (length > 8_000 ? 40 : 0)
        let position = random.int(in: 0...length)
        if kind < 45 || length == 0 {
            let text = random.text(scalars: size, from: alphabet)
            rope.insert(text, at: position)
            model.insert(text, at: position)
        } else if kind < 80 || kind >= 100 {
            let range = position..<min(length, position + size)
            rope.remove(scalarRange: range)
            model.remove(range)
        } else {
            let range = position..<min(length, position + size)
            let text = random.text(scalars: random.int(in: 0...size), from: alphabet)
            rope.replace(scalarRange: range, with: text)
            model.remove(range)
            model.insert(text, at: position)
        }
        let expected = model.string
        expectRope(rope, equals: expected, context)
        if !model.scalars.isEmpty {
            let lower = random.int(in: 0...(model.scalars.count - 1))
            let upper = random.int(in: lower...min(model.scalars.count, lower + 300))
            #expect(Array(rope.substring(scalarRange: lower..<upper).unicodeScalars)
                    == Array(model.scalars[lower..<upper]), "\(context) substring \(lower)..<\(upper)")
        }
        if rope.root.invariantViolation(isRoot: true) != nil || rope.count != model.scalars.count {
            return  // one reported failure per seed is enough
        }
    }
}

@Test(arguments: [UInt64(1), 2])
func randomEditsASCII(seed: UInt64) {
    runRandomEdits(seed: seed, steps: 1_500, alphabet: RopeTestGenerator.ascii)
}

@Test(arguments: [UInt64(11), 12])
func randomEditsMixedUnicode(seed: UInt64) {
    runRandomEdits(seed: seed, steps: 1_500, alphabet: RopeTestGenerator.mixed)
}

/// A 1 MB+ document under random edits, checked cheaply (counts, invariants, spot
/// substrings) each step and in full at the end.
@Test func largeDocumentRandomEdits() {
    let seed: UInt64 = 77
    var random = RopeTestGenerator(seed: seed)
    let line = "The quick brown fox 🦊 jumps over the lazy dog — ünïcödé 日本\n"
    let base = String(repeating: line, count: 18_000)  // ~1.2 MB
    var model = TextModel()
    model.insert(base, at: 0)
    var rope = Rope(base)
    var utf8Count = base.utf8.count
    for step in 0..<300 {
        let context = "seed \(seed) step \(step)"
        let position = random.int(in: 0...model.scalars.count)
        if random.int(in: 0...1) == 0 {
            let text = random.text(scalars: random.int(in: 1...3_000), from: RopeTestGenerator.mixed)
            rope.insert(text, at: position)
            model.insert(text, at: position)
            utf8Count += text.utf8.count
        } else {
            let range = position..<min(model.scalars.count, position + random.int(in: 1...3_000))
            utf8Count -= model.scalars[range].reduce(0) { $0 + $1.utf8.count }
            rope.remove(scalarRange: range)
            model.remove(range)
        }
        #expect(rope.count == model.scalars.count, "\(context)")
        #expect(rope.utf8Count == utf8Count, "\(context)")
        let lower = random.int(in: 0...model.scalars.count)
        let upper = min(model.scalars.count, lower + 64)
        #expect(Array(rope.substring(scalarRange: lower..<upper).unicodeScalars)
                == Array(model.scalars[lower..<upper]), "\(context)")
    }
    #expect(rope.utf8Count > 1_000_000)
    expectRope(rope, equals: model.string, "seed \(seed) final")
}

@Test func manyTinyInsertsAtOneSpot() {
    var rope = Rope(String(repeating: "-", count: 3_000))
    var expected = String.UnicodeScalarView(String(repeating: "-", count: 3_000).unicodeScalars)
    let pieces = ["a", "é", "😀", "\r\n", "日"]
    for i in 0..<4_000 {
        let piece = pieces[i % pieces.count]
        rope.insert(piece, at: 1_500)
        let index = expected.index(expected.startIndex, offsetBy: 1_500)
        expected.insert(contentsOf: piece.unicodeScalars, at: index)
    }
    expectRope(rope, equals: String(expected))
    #expect(rope.root.height >= 1)
}

@Test func deletesAcrossChunkBoundaries() {
    let text = String(repeating: "abcdefghij€😀\n", count: 10_000)  // many leaves
    var model = TextModel()
    model.insert(text, at: 0)
    var rope = Rope(text)
    // Ranges that start and end in different leaves, at various depths.
    for (lower, length) in [(1_000, 50_000), (0, 1_023), (7, 1), (500, 2_049), (20_000, 30_000)] {
        let range = lower..<min(model.scalars.count, lower + length)
        rope.remove(scalarRange: range)
        model.remove(range)
        expectRope(rope, equals: model.string, "\(range)")
    }
    // Delete everything but the first and last scalar: leaves the tree two thin paths.
    let all = 1..<(model.scalars.count - 1)
    rope.remove(scalarRange: all)
    model.remove(all)
    expectRope(rope, equals: model.string)
    #expect(rope.root.height == 0)
}

@Test func emptyCompletelyThenRefill() {
    var rope = Rope(String(repeating: "fill ✓ ", count: 3_000))
    var model = TextModel()
    model.insert(String(rope), at: 0)
    // Drain from the front in small steps, then from the middle.
    while model.scalars.count > 9_000 {
        rope.remove(scalarRange: 0..<7)
        model.remove(0..<7)
    }
    expectRope(rope, equals: model.string)
    while !model.scalars.isEmpty {
        let middle = model.scalars.count / 2
        let range = middle..<min(model.scalars.count, middle + 13)
        rope.remove(scalarRange: range)
        model.remove(range)
    }
    expectRope(rope, equals: "")
    #expect(rope.root.height == 0)
    for i in 0..<2_000 {
        rope.insert("r\(i)é ", at: rope.count)
        model.insert("r\(i)é ", at: model.scalars.count)
    }
    expectRope(rope, equals: model.string)
    rope.remove(scalarRange: 0..<rope.count)
    expectRope(rope, equals: "")
    rope.insert("again", at: 0)
    expectRope(rope, equals: "again")
}
