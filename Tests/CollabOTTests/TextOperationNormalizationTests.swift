import Testing
@testable import CollabOT

@Suite struct TextOperationNormalizationTests {
    @Test func builderMergesAdjacentComponents() {
        var operation = TextOperation()
        operation.retain(2)
        operation.retain(3)
        operation.insert("ab")
        operation.insert("c")
        operation.delete(1)
        operation.delete(2)
        #expect(operation.components == [.retain(5), .insert("abc"), .delete(3)])
        #expect(operation.inputLength == 8)
        #expect(operation.lengthChange == 0)
        #expect(operation.outputLength(for: 10) == 10)
    }

    @Test func builderDropsTrailingRetain() {
        var operation = TextOperation()
        operation.retain(4)
        #expect(operation.components.isEmpty)
        #expect(operation.isNoop)
        #expect(operation == TextOperation.noop)
        operation.delete(1)
        operation.retain(7)
        #expect(operation.components == [.retain(4), .delete(1)])
        #expect(operation.inputLength == 5)
        operation.insert("z")
        #expect(operation.components == [.retain(4), .delete(1), .retain(7), .insert("z")])
        #expect(operation.inputLength == 12)
    }

    @Test func builderPutsInsertBeforeDeleteAtOnePosition() {
        var operation = TextOperation()
        operation.retain(1)
        operation.delete(2)
        operation.insert("x")
        #expect(operation.components == [.retain(1), .insert("x"), .delete(2)])
        operation.insert("y")
        operation.delete(1)
        #expect(operation.components == [.retain(1), .insert("xy"), .delete(3)])

        var startsWithDelete = TextOperation()
        startsWithDelete.delete(2)
        startsWithDelete.insert("q")
        #expect(startsWithDelete.components == [.insert("q"), .delete(2)])
    }

    @Test func builderIgnoresZeroCountsAndEmptyInserts() {
        var operation = TextOperation()
        operation.retain(0)
        operation.delete(0)
        operation.insert("")
        #expect(operation.isNoop)
    }

    @Test func lengthsCountScalars() throws {
        // 👨‍👩‍👧 is 5 scalars, 🇫🇷 is 2, "e\u{301}" is 2, "\r\n" is 2: one Character each.
        let operation = try TextOperation([.retain(3), .insert("👨\u{200D}👩\u{200D}👧🇫🇷"), .delete(4), .insert("e\u{301}\r\n")])
        #expect(operation.components == [.retain(3), .insert("👨\u{200D}👩\u{200D}👧🇫🇷e\u{301}\r\n"), .delete(4)])
        #expect(operation.inputLength == 7)
        #expect(operation.lengthChange == 11 - 4)
    }

    @Test func validatingInitRejectsBadComponentsWithTheirIndex() {
        #expect(throws: TextOperationError.nonPositiveCount(index: 1)) {
            try TextOperation([.insert("a"), .retain(0)])
        }
        #expect(throws: TextOperationError.nonPositiveCount(index: 2)) {
            try TextOperation([.retain(1), .insert("a"), .delete(-3)])
        }
        #expect(throws: TextOperationError.emptyInsert(index: 0)) {
            try TextOperation([.insert(""), .delete(1)])
        }
        #expect(throws: TextOperationError.nonIntegerCount(index: 1)) {
            try TextOperation([.retain(Int.max), .retain(1), .insert("a")])
        }
        #expect(throws: TextOperationError.noEffect) { try TextOperation([]) }
        #expect(throws: TextOperationError.noEffect) { try TextOperation([.retain(3), .retain(4)]) }
    }

    @Test func uncheckedInitNormalizesAndDropsInvalidCounts() {
        let operation = TextOperation(unchecked: [.retain(0), .delete(2), .insert("a"), .retain(-1), .insert(""), .retain(3)])
        #expect(operation.components == [.insert("a"), .delete(2)])
    }

    @Test func descriptionIsTheWireNotation() throws {
        let operation = try TextOperation([.retain(6), .delete(5), .insert("there")])
        #expect(operation.description == #"[6,"there",{"d":5}]"#)
    }

    /// Normalization keeps the meaning, produces the normal form, and is idempotent.
    @Test func normalizationIsIdempotentAndKeepsMeaning() throws {
        for iteration in 0..<3000 {
            let seed = 0x4E4F_524D_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let raw = random.components(documentLength: document.unicodeScalars.count)
            let operation = TextOperation(unchecked: raw)
            let context = "seed \(seed): \(raw) -> \(operation)"

            try #require(TextOperation(unchecked: operation.components) == operation, "\(context)")
            if !operation.isNoop {
                try #require(try TextOperation(operation.components) == operation, "\(context)")
            }
            try #require(isNormalized(operation.components), "\(context)")
            try #require(try operation.apply(to: document) == TextOperationReference.apply(raw, to: document), "\(context)")

            var counted = (input: 0, change: 0)
            for component in raw {
                switch component {
                case .retain(let count): counted.input += count
                case .insert(let text): counted.change += text.unicodeScalars.count
                case .delete(let count): counted.input += count; counted.change -= count
                }
            }
            // Trailing retains do not count towards the input length.
            try #require(operation.inputLength <= counted.input, "\(context)")
            try #require(operation.lengthChange == counted.change, "\(context)")
        }
    }

    private func isNormalized(_ components: [TextOperation.Component]) -> Bool {
        for (index, component) in components.enumerated() {
            switch component {
            case .retain(let count):
                if count <= 0 || index == components.count - 1 { return false }
            case .insert(let text):
                if text.isEmpty { return false }
            case .delete(let count):
                if count <= 0 { return false }
            }
            guard index > 0 else { continue }
            switch (components[index - 1], component) {
            case (.retain, .retain), (.insert, .insert), (.delete, .delete), (.delete, .insert):
                return false
            default:
                continue
            }
        }
        return true
    }
}
