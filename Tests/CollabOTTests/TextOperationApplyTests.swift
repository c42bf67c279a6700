import Testing
@testable import CollabOT

@Suite struct TextOperationApplyTests {
    @Test func contractExample() throws {
        let operation = try TextOperation([.retain(6), .delete(5), .insert("there")])
        #expect(try operation.apply(to: "hello world") == "hello there")
    }

    @Test func keepsWhatFollowsTheLastComponent() throws {
        #expect(try TextOperation([.insert(">")]).apply(to: "abc") == ">abc")
        #expect(try TextOperation([.retain(1), .delete(1)]).apply(to: "abc") == "ac")
        #expect(try TextOperation([.retain(3), .insert("!")]).apply(to: "abc") == "abc!")
    }

    @Test func rejectsSkipsAndDeletesPastTheEnd() throws {
        #expect(throws: TextOperationError.skipPastEnd(end: 4, documentLength: 3)) {
            try TextOperation([.retain(4), .insert("x")]).apply(to: "abc")
        }
        #expect(throws: TextOperationError.deletePastEnd(end: 5, documentLength: 3)) {
            try TextOperation([.retain(1), .delete(4)]).apply(to: "abc")
        }
        #expect(throws: TextOperationError.deletePastEnd(end: 1, documentLength: 0)) {
            try TextOperation([.insert("x"), .delete(1)]).apply(to: "")
        }
        // The offsets count scalars: "👨‍👩‍👧" is 5 of them.
        #expect(throws: TextOperationError.skipPastEnd(end: 6, documentLength: 5)) {
            try TextOperation([.retain(6), .insert("x")]).apply(to: "👨\u{200D}👩\u{200D}👧")
        }
        #expect(throws: TextOperationError.deletePastEnd(end: 6, documentLength: 5)) {
            try TextOperation([.retain(5), .delete(1)]).check(documentLength: 5)
        }
        try TextOperation([.retain(4), .delete(1)]).check(documentLength: 5)
    }

    // MARK: - Unicode: positions count scalars and never split one

    @Test func zwjSequenceIsFiveScalars() throws {
        let family = "👨\u{200D}👩\u{200D}👧"
        // Delete the first ZWJ: two separate emoji remain joined by the second.
        #expect(try TextOperation([.retain(1), .delete(1)]).apply(to: family) == "👨👩\u{200D}👧")
        #expect(try TextOperation([.retain(5), .insert("!")]).apply(to: family) == family + "!")
    }

    @Test func flagIsTwoRegionalIndicators() throws {
        // Inserting between the two indicators of 🇫🇷 leaves each one whole.
        let result = try TextOperation([.retain(1), .insert("x")]).apply(to: "🇫🇷")
        #expect(Array(result.unicodeScalars) == ["\u{1F1EB}", "x", "\u{1F1F7}"])
    }

    @Test func combiningMarkIsItsOwnScalar() throws {
        let decomposed = "e\u{301}"
        #expect(try TextOperation([.retain(1), .delete(1)]).apply(to: decomposed) == "e")
        #expect(try TextOperation([.delete(1)]).apply(to: decomposed).unicodeScalars.first == "\u{301}")
        #expect(try TextOperation([.retain(1), .insert("\u{308}")]).apply(to: decomposed) == "e\u{308}\u{301}")
        // Precomposed é is one scalar.
        #expect(try TextOperation([.delete(1)]).apply(to: "é!") == "!")
    }

    @Test func crlfIsTwoScalars() throws {
        #expect(try TextOperation([.retain(1), .insert("x")]).apply(to: "\r\n") == "\rx\n")
        #expect(try TextOperation([.delete(1)]).apply(to: "\r\nb") == "\nb")
        let operation = try TextOperation([.retain(2), .delete(2)])
        #expect(try operation.apply(to: "a\r\nb") == "a\r")
    }

    @Test func cjkAndAstralScalars() throws {
        #expect(try TextOperation([.retain(1), .delete(1), .insert("𝄞")]).apply(to: "日本語") == "日𝄞語")
        let operation = try TextOperation([.retain(2), .insert("👍🏽")])
        #expect(operation.lengthChange == 2)  // thumbs up + skin tone modifier
        #expect(try operation.apply(to: "𝄞𝄞𝄞") == "𝄞𝄞👍🏽𝄞")
    }

    @Test func applyMatchesTheReferenceModel() throws {
        for iteration in 0..<3000 {
            let seed = 0x4150_504C_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let length = document.unicodeScalars.count
            // Sometimes too long for the document, to exercise the errors.
            let operation = random.operation(documentLength: length + random.int(0...2))
            // A trailing skip past the end is an error too, though normalization dropped it.
            let expected = operation.requiredLength > length
                ? nil : TextOperationReference.apply(operation.components, to: document)
            let actual = try? operation.apply(to: document)
            try #require(actual == expected, "seed \(seed): \(operation) on \(document.debugDescription)")
            if let actual {
                try #require(actual.unicodeScalars.count == operation.outputLength(for: length), "seed \(seed)")
            }
        }
    }

    // MARK: - Invert

    @Test func invertUndoesAndUsesTheDeletedText() throws {
        let operation = try TextOperation([.retain(6), .delete(5), .insert("there")])
        #expect(try operation.deletedText(in: "hello world") == ["world"])
        let inverse = try operation.inverted(against: "hello world")
        #expect(inverse.components == [.retain(6), .insert("world"), .delete(5)])
        #expect(try inverse.apply(to: "hello there") == "hello world")
    }

    @Test func invertFromStoredTextChecksIt() throws {
        let operation = try TextOperation([.delete(2), .retain(1), .delete(1)])
        #expect(try operation.deletedText(in: "ab😀c") == ["ab", "c"])
        #expect(try operation.inverted(deletedText: ["ab", "c"]).apply(to: "😀") == "ab😀c")
        #expect(throws: TextOperationError.deletedTextMismatch) { try operation.inverted(deletedText: ["ab"]) }
        #expect(throws: TextOperationError.deletedTextMismatch) { try operation.inverted(deletedText: ["ab", "c", "d"]) }
        #expect(throws: TextOperationError.deletedTextMismatch) { try operation.inverted(deletedText: ["abc", "c"]) }
        #expect(throws: TextOperationError.deletePastEnd(end: 4, documentLength: 3)) { try operation.deletedText(in: "abc") }
    }

    @Test func invertLaw() throws {
        for iteration in 0..<3000 {
            let seed = 0x494E_5645_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let operation = random.operation(documentLength: document.unicodeScalars.count)
            let after = try operation.apply(to: document)
            let inverse = try operation.inverted(against: document)
            let context = "seed \(seed): \(operation) on \(document.debugDescription)"
            try #require(try inverse.apply(to: after) == document, "\(context)")
            try #require(try inverse.inverted(against: after) == operation, "\(context)")
            let stored = try operation.deletedText(in: document)
            try #require(try operation.inverted(deletedText: stored) == inverse, "\(context)")
        }
    }
}
