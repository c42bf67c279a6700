import CollabClient
import CollabOT
import Testing
import CollabTestSupport

/// Seeded random editing sessions between "me" and "other" on `SimulatedServer`, then checks on
/// what undo and redo of my edits leave behind. Every character ever typed is unique (private-use
/// and supplementary-plane scalars: each one is a single scalar but two UTF-16 units), so the
/// final text tells exactly whose text survived.
@Suite struct UndoPropertyTests {
    /// Makes unique scalars: the starting text's, mine and the other user's come from separate ranges.
    struct ScalarSource {
        private var next: UInt32

        init(base: UInt32) { next = base }

        mutating func take(_ count: Int) -> String {
            var text = ""
            for _ in 0..<count {
                text.unicodeScalars.append(Unicode.Scalar(next)!)
                next += 1
            }
            return text
        }
    }

    static let originalBase: UInt32 = 0xE000    // BMP private use
    static let otherBase: UInt32 = 0xF_0000     // plane 15
    static let mineBase: UInt32 = 0x10_0000     // plane 16

    static func isMine(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= mineBase }
    static func isOther(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= otherBase && scalar.value < mineBase }

    static func scalars(_ client: UndoSimulation.Client) -> [Unicode.Scalar] {
        Array(String(client.document.text).unicodeScalars)
    }

    /// A random edit of a text of `length` scalars near `cursor`: an insert of new scalars, a
    /// delete or a replace. Returns the op and where the caret ends up.
    static func randomEdit(length: Int, cursor: Int, source: inout ScalarSource,
                           random: inout SplitMix64) -> (TextOperation, Int) {
        let position = random.chance(0.6) ? min(cursor, length) : random.int(0..<(length + 1))
        var operation = TextOperation()
        operation.retain(position)
        let kind = length > position ? random.int(0..<3) : 0
        let deleted = kind == 0 ? 0 : min(length - position, random.int(1..<4))
        let inserted = kind == 1 ? "" : source.take(random.int(1..<4))
        operation.insert(inserted)
        operation.delete(deleted)
        return (operation, position + inserted.unicodeScalars.count)
    }

    /// The scalars `operation` deletes from `text`.
    static func deletedScalars(_ operation: TextOperation, from text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var position = 0
        var deleted: [Unicode.Scalar] = []
        for component in operation.components {
            switch component {
            case .retain(let count): position += count
            case .insert: break
            case .delete(let count):
                deleted += text[position..<(position + count)]
                position += count
            }
        }
        return deleted
    }

    /// Sequential runs (everything delivered after each action): undoing all my steps leaves no
    /// text of mine, restores what I deleted, touches nothing of the other user's; the surviving
    /// text keeps every order it ever had; redoing as many steps restores the text exactly.
    @Test(arguments: [false, true])
    func undoingEverythingRevertsExactlyMyEdits(withOtherUser: Bool) throws {
        let cases = withOtherUser ? 2000 : 1000
        var undoSteps = 0
        var skippedOrEmpty = 0
        for index in 0..<cases {
            let seed = (withOtherUser ? 0x554E_444F_0000 : 0x4C4F_4341_0000) &+ UInt64(index)
            let context = "seed \(seed)"
            var random = SplitMix64(seed: seed)
            var originalSource = ScalarSource(base: Self.originalBase)
            var otherSource = ScalarSource(base: Self.otherBase)
            var mineSource = ScalarSource(base: Self.mineBase)
            let original = originalSource.take(random.int(0..<12))
            let simulation = try UndoSimulation(text: original)
            let start = ContinuousClock.now
            var time = 0
            var cursor = 0
            var otherDeleted: Set<Unicode.Scalar> = []
            var otherInserted: Set<Unicode.Scalar> = []
            var states: [[Unicode.Scalar]] = [Array(original.unicodeScalars)]

            for _ in 0..<random.int(5..<40) {
                let length = simulation.me.document.text.count
                switch random.int(0..<100) {
                case 0..<55:
                    time += random.int(0..<900)
                    let (operation, caret) = Self.randomEdit(length: length, cursor: cursor, source: &mineSource, random: &random)
                    cursor = caret
                    try simulation.edit(simulation.me, operation, at: start + .milliseconds(time))
                case 55..<85 where withOtherUser:
                    let (operation, _) = Self.randomEdit(length: length, cursor: random.int(0..<(length + 1)),
                                                         source: &otherSource, random: &random)
                    otherDeleted.formUnion(Self.deletedScalars(operation, from: Self.scalars(simulation.other)))
                    try simulation.edit(simulation.other, operation)
                    otherInserted.formUnion(Self.insertedScalars(operation))
                case 85..<92:
                    simulation.me.document.setSelection(Selection([SelectionRange(cursor: random.int(0..<(length + 1)))]))
                case 92..<97:
                    try simulation.undo(simulation.me)
                default:
                    try simulation.redo(simulation.me)
                }
                try simulation.deliverAll()
                states.append(Self.scalars(simulation.me))
                try #require(Self.scalars(simulation.other) == states.last, "\(context): diverged")
            }

            let beforeUndo = Self.scalars(simulation.me)
            var undone = 0
            while try simulation.undo(simulation.me) != nil {
                undone += 1
                try simulation.deliverAll()
                states.append(Self.scalars(simulation.me))
            }
            try simulation.deliverAll()
            undoSteps += undone
            let final = Self.scalars(simulation.me)
            try #require(Self.scalars(simulation.other) == final, "\(context): diverged after undo")
            try #require(String(String.UnicodeScalarView(final)) == simulation.server.text, "\(context)")

            if !withOtherUser {
                try #require(String(String.UnicodeScalarView(final)) == original, "\(context): not back to the start")
            }
            let present = Set(final)
            try #require(!final.contains(where: Self.isMine), "\(context): my text survived undo: \(final.filter(Self.isMine))")
            let expectedOriginal = Set(original.unicodeScalars).subtracting(otherDeleted)
            try #require(present.filter { !Self.isMine($0) && !Self.isOther($0) } == expectedOriginal,
                         "\(context): starting text not as the other user left it")
            try #require(present.filter(Self.isOther) == otherInserted.subtracting(otherDeleted),
                         "\(context): the other user's text was changed")
            for state in states {
                let kept = Set(state)
                try #require(state.filter(present.contains) == final.filter(kept.contains),
                             "\(context): order changed against \(state)")
            }

            // Nobody typed since: redoing the same number of steps gives the text back exactly.
            var redone = 0
            while redone < undone, try simulation.redo(simulation.me) != nil { redone += 1 }
            try simulation.deliverAll()
            try #require(Self.scalars(simulation.me) == beforeUndo, "\(context): redo did not restore the text")
            try #require(simulation.server.text == String(String.UnicodeScalarView(beforeUndo)), "\(context)")
            if undone == 0 { skippedOrEmpty += 1 }
        }
        // The checks above mean little if most runs had nothing to undo.
        #expect(undoSteps > cases, "only \(undoSteps) undo steps in \(cases) cases")
        #expect(skippedOrEmpty < cases / 4, "\(skippedOrEmpty) of \(cases) cases undid nothing")
    }

    static func insertedScalars(_ operation: TextOperation) -> [Unicode.Scalar] {
        operation.components.flatMap { component -> [Unicode.Scalar] in
            if case .insert(let text) = component { Array(text.unicodeScalars) } else { [] }
        }
    }

    /// Concurrent runs: messages delivered in random order and amounts, connections dropped
    /// and rejoined (undo stacks carried through the catch-up), the other user still typing
    /// while I undo everything. Everyone converges; none of my text is left; none of the other
    /// user's text that it did not delete itself is gone.
    @Test func undoUnderConcurrencyAndReconnects() throws {
        let cases = 1000
        var drops = 0
        for index in 0..<cases {
            let seed = 0x434F_4E43_0000 &+ UInt64(index)
            let context = "seed \(seed)"
            var random = SplitMix64(seed: seed)
            var originalSource = ScalarSource(base: Self.originalBase)
            var otherSource = ScalarSource(base: Self.otherBase)
            var mineSource = ScalarSource(base: Self.mineBase)
            let original = originalSource.take(random.int(0..<12))
            let simulation = try UndoSimulation(text: original)
            let start = ContinuousClock.now
            var time = 0
            var cursor = 0
            var otherDeleted: Set<Unicode.Scalar> = []
            var otherInserted: Set<Unicode.Scalar> = []

            func otherTypes() throws {
                let text = Self.scalars(simulation.other)
                let (operation, _) = Self.randomEdit(length: text.count, cursor: random.int(0..<(text.count + 1)),
                                                     source: &otherSource, random: &random)
                otherDeleted.formUnion(Self.deletedScalars(operation, from: text))
                otherInserted.formUnion(Self.insertedScalars(operation))
                try simulation.edit(simulation.other, operation)
            }

            func deliverSome() throws {
                for _ in 0..<random.int(0..<4) {
                    let client = simulation.clients[random.int(0..<2)]
                    if random.chance(0.5) { try simulation.deliverToServer(client) } else { try simulation.deliverToClient(client) }
                }
            }

            for _ in 0..<random.int(5..<40) {
                switch random.int(0..<100) {
                case 0..<50:
                    time += random.int(0..<900)
                    let (operation, caret) = Self.randomEdit(length: simulation.me.document.text.count, cursor: cursor,
                                                             source: &mineSource, random: &random)
                    cursor = caret
                    try simulation.edit(simulation.me, operation, at: start + .milliseconds(time))
                case 50..<80:
                    try otherTypes()
                case 80..<86:
                    try simulation.undo(simulation.me)
                case 86..<90:
                    try simulation.redo(simulation.me)
                case 90..<94:
                    let client = simulation.clients[random.int(0..<2)]
                    if client.connection == nil {
                        simulation.connect(client)
                    } else {
                        simulation.drop(client)
                        drops += 1
                    }
                default:
                    break
                }
                try deliverSome()
            }
            for client in simulation.clients where client.connection == nil { simulation.connect(client) }
            while try simulation.undo(simulation.me) != nil {
                if random.chance(0.3) { try otherTypes() }
                try deliverSome()
            }
            try simulation.deliverAll()
            // Undo ops that were transformed meanwhile may have emptied; nothing may be left to undo.
            while try simulation.undo(simulation.me) != nil { try simulation.deliverAll() }

            let final = Self.scalars(simulation.me)
            try #require(Self.scalars(simulation.other) == final, "\(context): diverged")
            try #require(String(String.UnicodeScalarView(final)) == simulation.server.text, "\(context)")
            try #require(!final.contains(where: Self.isMine), "\(context): my text survived undo")
            let present = Set(final)
            let kept = otherInserted.union(original.unicodeScalars).subtracting(otherDeleted)
            try #require(kept.isSubset(of: present), "\(context): lost \(kept.subtracting(present))")
        }
        #expect(drops > cases / 2, "only \(drops) drops")
    }
}
