import Testing
@testable import CollabOT

@Suite struct ComposeTests {
    @Test func typingComposesIntoOneInsert() throws {
        let typedH = try TextOperation([.retain(5), .insert("h")])
        let typedI = try TextOperation([.retain(6), .insert("i")])
        #expect(TextOperation.compose(typedH, typedI).components == [.retain(5), .insert("hi")])
    }

    @Test func deletingPartOfAnInsertSplitsItByScalars() throws {
        // "👨‍👩‍👧" is 5 scalars; deleting the middle three leaves man + girl.
        let insert = try TextOperation([.retain(1), .insert("👨\u{200D}👩\u{200D}👧")])
        let delete = try TextOperation([.retain(2), .delete(3)])
        let composed = TextOperation.compose(insert, delete)
        #expect(composed.components == [.retain(1), .insert("👨👧")])
        #expect(try composed.apply(to: "ab") == "a👨👧b")
    }

    @Test func retainingPartOfAnInsertKeepsCombiningMarksWhole() throws {
        let insert = try TextOperation([.insert("e\u{301}x\r\n")])
        let middle = try TextOperation([.retain(1), .insert("|"), .retain(2), .insert("|")])
        let composed = TextOperation.compose(insert, middle)
        #expect(composed.components == [.insert("e|\u{301}x|\r\n")])
    }

    @Test func deletingAllInsertedTextLeavesTheNoop() throws {
        let insert = try TextOperation([.retain(2), .insert("xyz")])
        let delete = try TextOperation([.retain(2), .delete(3)])
        #expect(TextOperation.compose(insert, delete).isNoop)
    }

    @Test func secondMayReachPastFirstsComponents() throws {
        let first = try TextOperation([.delete(1)])
        let second = try TextOperation([.retain(3), .delete(1), .insert("!")])
        let composed = TextOperation.compose(first, second)
        #expect(composed.components == [.delete(1), .retain(3), .insert("!"), .delete(1)])
        #expect(try composed.apply(to: "abcdef") == "bcd!f")
    }

    @Test func composeLaw() throws {
        for iteration in 0..<4000 {
            let seed = 0x434F_4D50_4C00 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let first = random.operation(documentLength: document.unicodeScalars.count)
            let middle = try first.apply(to: document)
            let second = random.operation(documentLength: middle.unicodeScalars.count)
            let composed = TextOperation.compose(first, second)
            let context = "seed \(seed): \(first) then \(second) on \(document.debugDescription) -> \(composed)"
            try #require(try composed.apply(to: document) == second.apply(to: middle), "\(context)")
            try #require(TextOperation(unchecked: composed.components) == composed, "\(context)")
            try #require(composed.lengthChange == first.lengthChange + second.lengthChange, "\(context)")
            try #require(TextOperation.compose(first, .noop) == first, "\(context)")
            try #require(TextOperation.compose(.noop, second) == second, "\(context)")
            // An operation composed with its inverse has no effect on the document.
            let undo = try first.inverted(against: document)
            try #require(try TextOperation.compose(first, undo).apply(to: document) == document, "\(context)")
        }
    }

    @Test func composeIsAssociative() throws {
        for iteration in 0..<2000 {
            let seed = 0x4153_534F_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let document = random.document()
            let length = document.unicodeScalars.count
            let first = random.operation(documentLength: length)
            let second = random.operation(documentLength: first.outputLength(for: length))
            let third = random.operation(documentLength: second.outputLength(for: first.outputLength(for: length)))
            let left = TextOperation.compose(.compose(first, second), third)
            let right = TextOperation.compose(first, .compose(second, third))
            try #require(try left.apply(to: document) == right.apply(to: document), "seed \(seed)")
        }
    }
}
