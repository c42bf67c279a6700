import CollabClient
import CollabOT
import Testing
import CollabTestSupport

/// Undo and redo of the local user's own edits in `ClientDocument`, case by case.
@Suite struct ClientDocumentUndoTests {
    static let start = ContinuousClock.now

    static func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start + .milliseconds(milliseconds)
    }

    static func insert(_ text: String, at position: Int) -> TextOperation {
        var operation = TextOperation()
        operation.retain(position)
        operation.insert(text)
        return operation
    }

    static func delete(_ range: Range<Int>) -> TextOperation {
        var operation = TextOperation()
        operation.retain(range.lowerBound)
        operation.delete(range.count)
        return operation
    }

    static func text(_ client: UndoSimulation.Client) -> String {
        String(client.document.text)
    }

    /// Types `text` one scalar a time from `position`, `gap` milliseconds apart from `from`.
    static func type(_ text: String, at position: Int, from: Int, gap: Int, in simulation: UndoSimulation) throws {
        for (index, scalar) in text.unicodeScalars.enumerated() {
            try simulation.edit(simulation.me, insert(String(scalar), at: position + index), at: at(from + index * gap))
        }
    }

    @Test func keystrokesWithinTheIntervalAreOneStep() throws {
        let simulation = try UndoSimulation(text: "--")
        try Self.type("abc", at: 1, from: 0, gap: 499, in: simulation)
        try Self.type("de", at: 4, from: 2000, gap: 100, in: simulation)  // 1002 ms after "c": a new step
        #expect(Self.text(simulation.me) == "-abcde-")
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "-abc-")
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "--")
        #expect(try simulation.undo(simulation.me) == nil)
        #expect(!simulation.me.document.canUndo)
    }

    @Test func aPauseLongerThanTheIntervalSplits() throws {
        let simulation = try UndoSimulation(text: "")
        try Self.type("ab", at: 0, from: 0, gap: 501, in: simulation)
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "a")
    }

    @Test func theIntervalIsConfigurable() throws {
        let simulation = try UndoSimulation(text: "", undoGrouping: .seconds(2))
        try Self.type("abc", at: 0, from: 0, gap: 1500, in: simulation)
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "")
    }

    @Test func aSelectionMoveSplitsOnlyWhenTheNextEditIsElsewhere() throws {
        let simulation = try UndoSimulation(text: "0123456789")
        try Self.type("ab", at: 2, from: 0, gap: 50, in: simulation)       // 01ab23456789
        simulation.me.document.setSelection(Selection([SelectionRange(cursor: 3)]))  // between a and b
        try simulation.edit(simulation.me, Self.insert("X", at: 3), at: Self.at(150))  // touches: joins
        simulation.me.document.setSelection(Selection([SelectionRange(cursor: 10)]))
        try simulation.edit(simulation.me, Self.insert("Y", at: 10), at: Self.at(200))  // elsewhere: new step
        #expect(Self.text(simulation.me) == "01aXb23456Y789")
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "01aXb23456789")
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "0123456789")
    }

    @Test func aRemoteEditSplitsOnlyWhenItTouchesTheStep() throws {
        let simulation = try UndoSimulation(text: "0123456789")
        try Self.type("ab", at: 2, from: 0, gap: 50, in: simulation)  // 01ab23456789
        try simulation.deliverAll()
        try simulation.edit(simulation.other, Self.insert("R", at: 10))  // far away
        try simulation.deliverAll()
        try Self.type("c", at: 4, from: 100, gap: 50, in: simulation)  // 01abc234567R89
        try simulation.deliverAll()
        try simulation.edit(simulation.other, Self.insert("S", at: 5))  // right after "c": touches
        try simulation.deliverAll()
        try Self.type("d", at: 6, from: 200, gap: 50, in: simulation)  // 01abcSd234567R89
        #expect(Self.text(simulation.me) == "01abcSd234567R89")
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "01abcS234567R89")
        try simulation.undo(simulation.me)
        #expect(Self.text(simulation.me) == "01S234567R89")
        try simulation.deliverAll()
        #expect(Self.text(simulation.other) == "01S234567R89")
    }

    @Test func undoRestoresTheSelectionTheEditWasMadeFrom() throws {
        let simulation = try UndoSimulation(text: "hello world")
        simulation.me.document.setSelection(Selection([SelectionRange(anchor: 6, head: 11)]))
        try simulation.edit(simulation.me, TextOperation(unchecked: [.retain(6), .insert("there"), .delete(5)]), at: Self.at(0))
        simulation.me.document.setSelection(Selection([SelectionRange(cursor: 0)]))
        // Someone types before the selection meanwhile: the restored selection moves with it.
        try simulation.deliverAll()
        try simulation.edit(simulation.other, Self.insert(">> ", at: 0))
        try simulation.deliverAll()
        let undone = try #require(try simulation.undo(simulation.me))
        #expect(Self.text(simulation.me) == ">> hello world")
        #expect(undone.selection == Selection([SelectionRange(anchor: 9, head: 14)]))
        #expect(simulation.me.document.selection == undone.selection)
        #expect(undone.operation == TextOperation(unchecked: [.retain(9), .insert("world"), .delete(5)]))
        // Redo brings back the selection undo was pressed with (the caret at 3, after ">> ").
        let redone = try #require(try simulation.redo(simulation.me))
        #expect(Self.text(simulation.me) == ">> hello there")
        #expect(redone.selection == Selection([SelectionRange(cursor: 3)]))
    }

    @Test func withoutASelectionTheCaretGoesToTheUndoneChange() throws {
        let simulation = try UndoSimulation(text: "abcdef")
        try simulation.edit(simulation.me, Self.delete(2..<4))
        let undone = try #require(try simulation.undo(simulation.me))
        #expect(Self.text(simulation.me) == "abcdef")
        #expect(undone.selection == Selection([SelectionRange(cursor: 4)]))
    }

    @Test func undoLeavesTextOthersTypedInsideMyStep() throws {
        let simulation = try UndoSimulation(text: "[]")
        try Self.type("mine", at: 1, from: 0, gap: 10, in: simulation)
        try simulation.deliverAll()
        try simulation.edit(simulation.other, Self.insert("THEIRS", at: 3))  // [miTHEIRSne]
        try simulation.deliverAll()
        try simulation.undo(simulation.me)
        try simulation.deliverAll()
        #expect(Self.text(simulation.me) == "[THEIRS]")
        #expect(Self.text(simulation.other) == "[THEIRS]")
        #expect(simulation.server.text == "[THEIRS]")
    }

    @Test func aStepOthersDeletedEntirelyIsSkipped() throws {
        let simulation = try UndoSimulation(text: "0123")
        try simulation.edit(simulation.me, Self.insert("ab", at: 1), at: Self.at(0))      // 0ab123
        try simulation.edit(simulation.me, Self.insert("XYZ", at: 6), at: Self.at(5000))  // 0ab123XYZ
        try simulation.deliverAll()
        try simulation.edit(simulation.other, Self.delete(5..<9))  // deletes 3XYZ
        try simulation.deliverAll()
        #expect(Self.text(simulation.me) == "0ab12")
        #expect(simulation.me.document.canUndo)
        let undone = try #require(try simulation.undo(simulation.me))
        #expect(undone.operation == Self.delete(1..<3))
        #expect(Self.text(simulation.me) == "012")
        #expect(try simulation.undo(simulation.me) == nil)
        #expect(!simulation.me.document.canUndo)
    }

    @Test func anOnlyStepOthersDeletedLeavesNothingToUndo() throws {
        let simulation = try UndoSimulation(text: "")
        try simulation.edit(simulation.me, Self.insert("gone", at: 0))
        try simulation.deliverAll()
        try simulation.edit(simulation.other, Self.delete(0..<4))
        try simulation.deliverAll()
        let before = simulation.server.version
        #expect(try simulation.undo(simulation.me) == nil)
        try simulation.deliverAll()
        #expect(simulation.server.version == before, "a skipped step sends nothing")
    }

    @Test func theStacksSurviveAReconnectAndItsCatchUp() throws {
        let simulation = try UndoSimulation(text: "abc")
        try simulation.edit(simulation.me, Self.insert("X", at: 1))  // aXbc, sent
        try simulation.deliverToServer(simulation.me)                // committed, the ack is lost
        simulation.drop(simulation.me)
        try simulation.edit(simulation.me, Self.insert("Y", at: 4))  // aXbcY, offline
        try simulation.edit(simulation.other, Self.insert("R", at: 0))  // Rabc before it saw X
        try simulation.deliverAll()
        #expect(Self.text(simulation.other) == "RaXbc")
        simulation.connect(simulation.me)
        try simulation.deliverAll()                                 // the catch-up: X's record, then R
        #expect(Self.text(simulation.me) == "RaXbcY")
        try simulation.undo(simulation.me)
        try simulation.undo(simulation.me)
        try simulation.deliverAll()
        #expect(Self.text(simulation.me) == "Rabc")
        #expect(Self.text(simulation.other) == "Rabc")
        try simulation.redo(simulation.me)
        try simulation.deliverAll()
        #expect(simulation.server.text == "RaXbc")
    }

    @Test func aNewEditClearsRedo() throws {
        let simulation = try UndoSimulation(text: "")
        try simulation.edit(simulation.me, Self.insert("a", at: 0))
        try simulation.undo(simulation.me)
        #expect(simulation.me.document.canRedo)
        try simulation.edit(simulation.me, Self.insert("b", at: 0))
        #expect(!simulation.me.document.canRedo)
        #expect(try simulation.redo(simulation.me) == nil)
    }

    @Test func undoLastChangeByAnyoneRevertsAnotherUsersEdit() throws {
        let simulation = try UndoSimulation(text: "abc")
        try simulation.edit(simulation.me, Self.insert("M", at: 0))
        try simulation.deliverAll()
        try simulation.edit(simulation.other, Self.delete(1..<3))  // Mc
        try simulation.deliverAll()
        let (outcome, message) = try #require(try simulation.me.document.undoLastChangeByAnyone())
        if let message { simulation.queue(message, from: simulation.me) }
        #expect(outcome.operation == Self.insert("ab", at: 1))
        try simulation.deliverAll()
        #expect(simulation.server.text == "Mabc")
        // The plain undo still undoes my own latest step: the revert itself.
        try simulation.undo(simulation.me)
        try simulation.deliverAll()
        #expect(simulation.server.text == "Mc")
    }

    @Test func undoNeedsALoadedEditableDocument() throws {
        var document = ClientDocument(clientId: "undo-me-0001")
        #expect(throws: ClientDocumentError.notLoaded) { try document.undo() }
        _ = document.beginJoin()
        _ = try document.receive(.snapshot(version: 0, text: "abc"))
        _ = try document.receive(.joined(version: 0, clientId: "undo-me-0001", role: .viewer, presence: []))
        #expect(throws: ClientDocumentError.readOnly(.viewer)) { try document.redo() }
    }

    @Test func aSnapshotClearsTheStacks() throws {
        var document = ClientDocument(clientId: "undo-me-0001")
        _ = document.beginJoin()
        _ = try document.receive(.snapshot(version: 0, text: "abc"))
        _ = try document.receive(.joined(version: 0, clientId: "undo-me-0001", role: .editor, presence: []))
        _ = try document.applyLocal(Self.insert("x", at: 0))
        #expect(document.canUndo)
        _ = document.dropCopy()
        _ = document.beginJoin()
        _ = try document.receive(.snapshot(version: 5, text: "something else"))
        #expect(!document.canUndo)
    }

    /// Past `UndoStep.laterLimit` (512) queued ops are composed; undo still reverts exactly my text.
    @Test func aStepOutlivesThousandsOfRemoteOps() throws {
        let simulation = try UndoSimulation(text: "0123456789")
        try Self.type("mine", at: 5, from: 0, gap: 10, in: simulation)  // 01234mine56789
        try simulation.deliverAll()
        var random = SplitMix64(seed: 0x4C4F_4E47)
        var expected = Array("0123456789".unicodeScalars)
        for index in 0..<1500 {
            let text = Array(String(simulation.other.document.text).unicodeScalars)
            let minePosition = try #require(text.firstIndex(of: "m"))
            // Outside "mine": before it or after it, never touching it.
            let before = random.chance(0.5)
            let position = before ? random.int(0..<(minePosition + 1)) : random.int((minePosition + 4)..<(text.count + 1))
            let insertsOrEmpty = index % 3 != 0 || text.count < 20
            if insertsOrEmpty {
                let letter = String(Unicode.Scalar(UInt8(65 + index % 26)))
                try simulation.edit(simulation.other, Self.insert(letter, at: position))
                let expectedPosition = before ? position : position - 4
                expected.insert(contentsOf: letter.unicodeScalars, at: expectedPosition)
            } else {
                let deletable = before ? (0..<minePosition) : ((minePosition + 4)..<text.count)
                guard !deletable.isEmpty else { continue }
                let at = random.int(deletable)
                try simulation.edit(simulation.other, Self.delete(at..<(at + 1)))
                expected.remove(at: before ? at : at - 4)
            }
            try simulation.deliverAll()
        }
        try simulation.undo(simulation.me)
        try simulation.deliverAll()
        #expect(Array(simulation.server.text.unicodeScalars) == expected)
        #expect(Self.text(simulation.me) == simulation.server.text)
    }
}
