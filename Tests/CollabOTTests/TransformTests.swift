import Testing
@testable import CollabOT

@Suite struct TransformTests {
    /// Both orders of applying a transformed pair give the same document.
    private func converge(_ first: TextOperation, _ second: TextOperation, on document: String) throws -> String {
        let (firstPrime, secondPrime) = TextOperation.transform(first, second)
        let viaFirst = try secondPrime.apply(to: first.apply(to: document))
        let viaSecond = try firstPrime.apply(to: second.apply(to: document))
        #expect(viaFirst == viaSecond, "\(first) / \(second) on \(document.debugDescription)")
        return viaFirst
    }

    @Test func firstCommittedInsertStandsFirstAtEqualPositions() throws {
        let ada = try TextOperation([.retain(3), .insert("A")])
        let bob = try TextOperation([.retain(3), .insert("B")])
        #expect(try converge(ada, bob, on: "abcdef") == "abcABdef")
        #expect(try converge(bob, ada, on: "abcdef") == "abcBAdef")
        let (adaPrime, bobPrime) = TextOperation.transform(ada, bob)
        #expect(adaPrime.components == [.retain(3), .insert("A")])
        #expect(bobPrime.components == [.retain(4), .insert("B")])
    }

    @Test func tieBreakAtStartAndEnd() throws {
        let first = try TextOperation([.insert("1")])
        let second = try TextOperation([.insert("2")])
        #expect(try converge(first, second, on: "") == "12")
        let firstAtEnd = try TextOperation([.retain(2), .insert("1")])
        let secondAtEnd = try TextOperation([.retain(2), .insert("2")])
        #expect(try converge(firstAtEnd, secondAtEnd, on: "ab") == "ab12")
        #expect(try converge(secondAtEnd, firstAtEnd, on: "ab") == "ab21")
    }

    @Test func opsOfDifferentLengthsUseTheImplicitTrailingRetain() throws {
        let short = try TextOperation([.insert("<")])
        let long = try TextOperation([.retain(9), .delete(1), .insert("!")])
        #expect(try converge(short, long, on: "0123456789") == "<012345678!")
        #expect(try converge(long, short, on: "0123456789") == "<012345678!")
        let (shortPrime, longPrime) = TextOperation.transform(short, long)
        #expect(shortPrime == short)
        #expect(longPrime.components == [.retain(10), .insert("!"), .delete(1)])
    }

    @Test func bothDeletingTheSameTextLeavesNoops() throws {
        let first = try TextOperation([.retain(1), .delete(3)])
        let second = try TextOperation([.retain(2), .delete(1)])
        let (firstPrime, secondPrime) = TextOperation.transform(first, second)
        #expect(secondPrime.isNoop)
        #expect(firstPrime.components == [.retain(1), .delete(2)])
        #expect(try converge(first, second, on: "abcde") == "ae")
    }

    @Test func insertInsideAConcurrentDeleteSurvives() throws {
        let deletes = try TextOperation([.retain(1), .delete(3)])
        let inserts = try TextOperation([.retain(2), .insert("X")])
        #expect(try converge(deletes, inserts, on: "abcde") == "aXe")
        #expect(try converge(inserts, deletes, on: "abcde") == "aXe")
    }

    @Test func unicodeTransformsCountScalars() throws {
        let document = "👨\u{200D}👩\u{200D}👧🇫🇷e\u{301}\r\n日"
        let first = try TextOperation([.retain(5), .insert("💥"), .delete(2)])  // replaces the flag
        let second = try TextOperation([.retain(8), .delete(1), .insert("\u{308}")])  // swaps the accent
        #expect(try converge(first, second, on: document) == "👨\u{200D}👩\u{200D}👧💥e\u{308}\r\n日")
    }

    @Test func tp1Convergence() throws {
        for iteration in 0..<5000 {
            let seed = 0x5450_3100_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let length = document.unicodeScalars.count
            let first = random.operation(documentLength: length)
            let second = random.operation(documentLength: length)
            let (firstPrime, secondPrime) = TextOperation.transform(first, second)
            let context = "seed \(seed): \(first) / \(second) on \(document.debugDescription) -> \(firstPrime) / \(secondPrime)"
            let viaFirst = try secondPrime.apply(to: first.apply(to: document))
            let viaSecond = try firstPrime.apply(to: second.apply(to: document))
            try #require(viaFirst == viaSecond, "\(context)")
            // Results are normalized and sized for the documents they apply to.
            try #require(TextOperation(unchecked: firstPrime.components) == firstPrime, "\(context)")
            try #require(TextOperation(unchecked: secondPrime.components) == secondPrime, "\(context)")
            try #require(first.lengthChange + secondPrime.lengthChange == second.lengthChange + firstPrime.lengthChange, "\(context)")
            // Transforming against the no-op changes nothing.
            try #require(TextOperation.transform(first, .noop) == (first, .noop), "\(context)")
            try #require(TextOperation.transform(.noop, second) == (.noop, second), "\(context)")
        }
    }

    /// Transforming over a composition agrees with transforming over its parts, on either
    /// side, where normal form loses no information. An insert right before a delete may
    /// stand for text inserted anywhere in (or at the end of) the deleted range: normal
    /// form pins it to the range's start. When an op involved has such a pair and the
    /// other side inserts too, the two routes may order the inserted texts differently.
    /// Each route still converges (TP1, checked separately), and the server never
    /// transforms over a composed history, so only the unambiguous cases are compared.
    @Test func transformOfCompositions() throws {
        var strict = 0
        for iteration in 0..<5000 {
            let seed = 0x434F_4D50_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let length = document.unicodeScalars.count
            let first1 = random.operation(documentLength: length)
            let first2 = random.operation(documentLength: first1.outputLength(for: length))
            let second = random.operation(documentLength: length)
            let context = "seed \(seed): \(first1) then \(first2) / \(second) on \(document.debugDescription)"
            let composed = TextOperation.compose(first1, first2)
            let (composedPrime, secondOverComposed) = TextOperation.transform(composed, second)
            let (first1Prime, secondOver1) = TextOperation.transform(first1, second)
            let (first2Prime, secondOver2) = TextOperation.transform(first2, secondOver1)
            let involved = [first1, first2, composed, second, secondOver1, first1Prime]
            if involved.contains(where: Self.hasInsertBeforeDelete) && Self.inserts(second)
                && (Self.inserts(first1) || Self.inserts(first2)) {
                continue
            }
            strict += 1
            try #require(composedPrime == TextOperation.compose(first1Prime, first2Prime), "\(context)")
            try #require(secondOverComposed == secondOver2, "\(context)")

            // The same with the composition committed second.
            let (secondOverComposedB, composedPrimeB) = TextOperation.transform(second, composed)
            let (secondOver1B, first1PrimeB) = TextOperation.transform(second, first1)
            let (secondOver2B, first2PrimeB) = TextOperation.transform(secondOver1B, first2)
            try #require(secondOverComposedB == secondOver2B, "\(context)")
            try #require(composedPrimeB == TextOperation.compose(first1PrimeB, first2PrimeB), "\(context)")
        }
        // The exception must stay an exception, or the checks above prove little.
        #expect(strict > 2000, "only \(strict) of 5000 cases checked")
    }

    /// The exception's own example: step by step `second` stands first, composed it does not.
    @Test func compositionPinsInsertsToTheStartOfADeletedRange() throws {
        let first1 = try TextOperation([.retain(1), .delete(1)])  // "abc" -> "ac"
        let first2 = try TextOperation([.retain(1), .insert("X")])  // "ac" -> "aXc"
        let second = try TextOperation([.retain(2), .insert("Y")])  // "abc" -> "abYc"
        let composed = TextOperation.compose(first1, first2)
        #expect(composed.components == [.retain(1), .insert("X"), .delete(1)])
        let (secondOver1, _) = TextOperation.transform(second, first1)
        let (stepwise, _) = TextOperation.transform(secondOver1, first2)
        let (whole, _) = TextOperation.transform(second, composed)
        #expect(try stepwise.apply(to: "aXc") == "aYXc")
        #expect(try whole.apply(to: "aXc") == "aXYc")
    }

    private static func inserts(_ operation: TextOperation) -> Bool {
        operation.components.contains { if case .insert = $0 { return true } else { return false } }
    }

    private static func hasInsertBeforeDelete(_ operation: TextOperation) -> Bool {
        zip(operation.components, operation.components.dropFirst()).contains {
            if case .insert = $0, case .delete = $1 { return true }
            return false
        }
    }

    // MARK: - Positions

    @Test func positionRules() throws {
        let operation = try TextOperation([.retain(2), .insert("XY"), .delete(3), .retain(1), .insert("Z")])
        // "ab|cde|f|" -> "abXYfZ"
        #expect(operation.transform(position: 0) == 0)
        #expect(operation.transform(position: 1) == 1)
        #expect(operation.transform(position: 2) == 4)  // at the insert point: after "XY"
        #expect(operation.transform(position: 3) == 4)  // inside the deleted range: its start
        #expect(operation.transform(position: 4) == 4)
        #expect(operation.transform(position: 5) == 4)  // "f" itself
        #expect(operation.transform(position: 6) == 6)  // end, at an insert point: after "Z"
        #expect(operation.transform(position: 9) == 9)  // past the end: implicit retain
        #expect(try TextOperation([.insert("ab")]).transform(position: 0) == 2)
        #expect(TextOperation.noop.transform(position: 7) == 7)
    }

    @Test func selectionFollowsTheText() throws {
        let operation = try TextOperation([.retain(1), .insert("🇫🇷"), .retain(2), .delete(2)])
        let selection = Selection([SelectionRange(anchor: 1, head: 4), SelectionRange(cursor: 5), SelectionRange(anchor: 6, head: 0)])
        let moved = operation.transform(selection: selection)
        #expect(moved.ranges == [SelectionRange(anchor: 3, head: 5), SelectionRange(cursor: 5), SelectionRange(anchor: 6, head: 0)])
    }

    /// A surviving scalar's position maps to where that scalar ends up; positions are
    /// monotonic; everything inside one delete collapses to one place.
    @Test func positionTransformIsConsistentWithApply() throws {
        for iteration in 0..<3000 {
            let seed = 0x504F_5300_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let length = document.unicodeScalars.count
            let operation = random.operation(documentLength: length)
            let context = "seed \(seed): \(operation) on \(document.debugDescription)"
            let after = try #require(TextOperationReference.apply(operation.components, to: TextOperationReference.tagged(document)))

            var survivors: [Int: Int] = [:]
            for (offset, scalar) in after.enumerated() {
                if let origin = scalar.origin { survivors[origin] = offset }
            }
            var previous = 0
            for position in 0...length {
                let moved = operation.transform(position: position)
                if let expected = survivors[position] {
                    try #require(moved == expected, "\(context): position \(position)")
                }
                try #require(moved >= previous && moved <= after.count, "\(context): position \(position)")
                previous = moved
            }
            var before = 0
            for component in operation.components {
                switch component {
                case .retain(let count):
                    before += count
                case .insert:
                    break
                case .delete(let count):
                    let start = operation.transform(position: before)
                    for position in before..<(before + count) {
                        try #require(operation.transform(position: position) == start, "\(context): position \(position)")
                    }
                    before += count
                }
            }
        }
    }
}
