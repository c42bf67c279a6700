import Testing
@testable import CollabOT

@Test func applyValidOperations() throws {
    var rope = Rope("Hello, world!")
    try rope.apply(TextOperation(unchecked: [.retain(7), .delete(5), .insert("Welt")]))
    #expect(rope.isEqual(to: "Hello, Welt!"))
    // Insert then delete at one position, no trailing skip.
    try rope.apply(TextOperation(unchecked: [.insert("Oh, "), .delete(5)]))
    #expect(rope.isEqual(to: "Oh, , Welt!"))
    // A full-length op with a trailing skip, and scalar (not byte) offsets.
    rope = Rope("日本😀x")
    try rope.apply(TextOperation(unchecked: [.retain(2), .insert("é"), .delete(1), .retain(1)]))
    #expect(rope.isEqual(to: "日本éx"))
    // Several inserts and deletes interleaved; positions advance past inserted text.
    rope = Rope("abcdef")
    try rope.apply(TextOperation(unchecked: [.insert("1"), .retain(1), .delete(2), .insert("22"),
                                             .retain(2), .insert("3"), .delete(1)]))
    #expect(rope.isEqual(to: "1a22de3"))
    // An empty op and zero counts change nothing.
    try rope.apply(TextOperation(unchecked: []))
    try rope.apply(TextOperation(unchecked: [.retain(0), .delete(0)]))
    #expect(rope.isEqual(to: "1a22de3"))
    // Delete everything.
    try rope.apply(TextOperation(unchecked: [.delete(7)]))
    #expect(rope.isEmpty)
}

private func expectRejected(_ op: TextOperation, on text: String, error expected: TextOperationError,
                            sourceLocation: SourceLocation = #_sourceLocation) {
    var rope = Rope(text)
    let before = rope
    #expect(throws: expected, sourceLocation: sourceLocation) {
        try rope.apply(op)
    }
    #expect(rope == before, sourceLocation: sourceLocation)
    #expect(rope.isEqual(to: text), sourceLocation: sourceLocation)
}

@Test func applyRejectsOutOfRangeOperationsWithoutChanges() {
    expectRejected(TextOperation(unchecked: [.retain(6)]), on: "hello",
                   error: .skipPastEnd(end: 6, documentLength: 5))
    expectRejected(TextOperation(unchecked: [.retain(2), .delete(4)]), on: "hello",
                   error: .deletePastEnd(end: 6, documentLength: 5))
    // The insert comes first but must not be applied when a later component is invalid.
    expectRejected(TextOperation(unchecked: [.insert("xyz"), .retain(3), .delete(1), .retain(2)]), on: "hello",
                   error: .skipPastEnd(end: 6, documentLength: 5))
    expectRejected(TextOperation(unchecked: [.delete(2), .insert("a"), .delete(4)]), on: "hello",
                   error: .deletePastEnd(end: 6, documentLength: 5))
    // Lengths are scalars: "😀é" is 2 scalars, 6 bytes.
    expectRejected(TextOperation(unchecked: [.retain(3)]), on: "😀é",
                   error: .skipPastEnd(end: 3, documentLength: 2))
    expectRejected(TextOperation(unchecked: [.delete(1)]), on: "",
                   error: .deletePastEnd(end: 1, documentLength: 0))
    // A trailing skip is dropped by normalization but still checked (contract §2.2).
    expectRejected(TextOperation(unchecked: [.insert("x"), .retain(10)]), on: "hello",
                   error: .skipPastEnd(end: 10, documentLength: 5))
    expectRejected(TextOperation(unchecked: [.delete(1), .retain(5)]), on: "hello",
                   error: .skipPastEnd(end: 6, documentLength: 5))
}

@Test func applyAcceptsATrailingSkipThatFits() throws {
    var rope = Rope("hello")
    try rope.apply(TextOperation(unchecked: [.insert("x"), .retain(5)]))
    #expect(rope.isEqual(to: "xhello"))
}

@Test func applyOnLargeSharedRopeLeavesCopyIntact() throws {
    let text = String(repeating: "shared text ", count: 10_000)
    let original = Rope(text)
    var edited = original
    try edited.apply(TextOperation(unchecked: [.retain(60_000), .insert("X"), .delete(50_000)]))
    #expect(edited.count == original.count - 49_999)
    #expect(original.isEqual(to: text))
    var rejected = original
    #expect(throws: TextOperationError.deletePastEnd(end: 120_001, documentLength: 120_000)) {
        try rejected.apply(TextOperation(unchecked: [.retain(100), .delete(119_901)]))
    }
    #expect(rejected == original)
}
