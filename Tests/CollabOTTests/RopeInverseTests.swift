import CollabOT
import Testing

/// Inverting an operation against a rope agrees with inverting it against the same `String`.
@Suite struct RopeInverseTests {
    @Test func ropeAndStringGiveTheSameInverse() throws {
        for iteration in 0..<3000 {
            let seed = 0x524F_5049_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let rope = Rope(document)
            let operation = random.operation(documentLength: document.unicodeScalars.count)
            let context = "seed \(seed): \(operation) on \(document.debugDescription)"
            try #require(try operation.deletedText(in: rope) == operation.deletedText(in: document), "\(context)")
            let inverse = try operation.inverted(against: rope)
            try #require(inverse == (try operation.inverted(against: document)), "\(context)")
            var after = rope
            try after.apply(operation)
            try after.apply(inverse)
            try #require(after.isEqual(to: document), "\(context)")
        }
    }

    @Test func deletedTextOfScalarsInsideClustersAndAcrossLeaves() throws {
        // Long enough for several leaves; the delete cuts a flag and a ZWJ family in half.
        let document = String(repeating: "ab🇫🇷👨\u{200D}👩\u{200D}👧", count: 2000)
        let rope = Rope(document)
        let operation = try TextOperation([.retain(3), .delete(4), .retain(5000), .delete(9000)])
        let expected = try operation.deletedText(in: document)
        #expect(try operation.deletedText(in: rope) == expected)
        #expect(expected[0].unicodeScalars.count == 4)
    }

    @Test func anOperationThatDoesNotFitIsRefused() {
        let operation = TextOperation(unchecked: [.retain(2), .delete(2)])
        #expect(throws: TextOperationError.deletePastEnd(end: 4, documentLength: 3)) {
            try operation.inverted(against: Rope("abc"))
        }
    }
}
