import CollabClient
import CollabOT
import Testing

/// The client state machine step by step against hand-written server messages.
@Suite struct ClientDocumentTests {
    static let me = "me-client-1"

    static func op(_ components: [TextOperation.Component]) -> TextOperation {
        TextOperation(unchecked: components)
    }

    static func record(_ version: Int, _ operation: TextOperation, by clientId: String = "other-client", seq: Int = 1) -> RemoteOperation {
        RemoteOperation(version: version, operation: operation, clientId: clientId, seq: seq, user: clientId)
    }

    /// A document joined at `version` with `text`.
    static func joined(text: String = "abc", version: Int = 0) throws -> ClientDocument {
        var document = ClientDocument(clientId: me)
        #expect(document.beginJoin() == .join(clientId: me, version: nil, user: nil))
        _ = try document.receive(.snapshot(version: version, text: text))
        let effects = try document.receive(.joined(version: version, clientId: me, role: .editor, presence: []))
        #expect(effects == [.joined(version: version)])
        return document
    }

    static func sent(_ effects: [ClientDocumentEffect]) -> [OutboundMessage] {
        effects.compactMap { if case .send(let message) = $0 { message } else { nil } }
    }

    @Test func editsBeforeLoadingAreRefused() {
        var document = ClientDocument(clientId: Self.me)
        #expect(throws: ClientDocumentError.notLoaded) { try document.applyLocal(Self.op([.insert("x")])) }
    }

    @Test func oneOpInFlightTheRestComposedThenSentOnAck() throws {
        var document = try Self.joined()
        let first = try document.applyLocal(Self.op([.insert("X")]))
        #expect(first == .op(seq: 1, version: 0, operation: Self.op([.insert("X")])))
        #expect(try document.applyLocal(Self.op([.retain(4), .insert("Y")])) == nil)
        #expect(try document.applyLocal(Self.op([.retain(5), .insert("Z")])) == nil)
        #expect(document.pending == .awaitingWithBuffer(
            PendingOperation(operation: Self.op([.insert("X")]),
                             submission: OperationSubmission(seq: 1, version: 0, operation: Self.op([.insert("X")]))),
            buffer: Self.op([.retain(4), .insert("YZ")])))
        let effects = try document.receive(.ack(seq: 1, version: 0))
        #expect(effects == [.acknowledged(seq: 1, version: 0),
                            .send(.op(seq: 2, version: 1, operation: Self.op([.retain(4), .insert("YZ")])))])
        #expect(String(document.text) == "XabcYZ")
        _ = try document.receive(.ack(seq: 2, version: 1))
        #expect(document.pending == .synchronized)
        #expect(document.version == 2)
    }

    @Test func remoteOpIsTransformedOverInflightAndBuffer() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.insert("X")]))          // Xabc, in flight
        _ = try document.applyLocal(Self.op([.retain(4), .insert("Y")]))  // XabcY, buffered
        let effects = try document.receive(.operations([Self.record(0, Self.op([.retain(1), .insert("Z")]))]))
        #expect(String(document.text) == "XaZbcY")
        #expect(effects == [.remoteEdit(RemoteEdit(operation: Self.op([.retain(2), .insert("Z")]),
                                                   record: Self.record(0, Self.op([.retain(1), .insert("Z")]))))])
        guard case .awaitingWithBuffer(let inflight, let buffer) = document.pending else {
            Issue.record("state \(document.pending)")
            return
        }
        #expect(inflight.operation == Self.op([.insert("X")]))
        #expect(buffer == Self.op([.retain(5), .insert("Y")]))
        #expect(document.version == 1)
        // The ack now names version 1: the remote op was committed first.
        let acked = try document.receive(.ack(seq: 1, version: 1))
        #expect(Self.sent(acked) == [.op(seq: 2, version: 2, operation: Self.op([.retain(5), .insert("Y")]))])
    }

    @Test func concurrentInsertAtOnePositionPutsTheCommittedOneFirst() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.retain(1), .insert("X")]))
        _ = try document.receive(.operations([Self.record(0, Self.op([.retain(1), .insert("Z")]))]))
        #expect(String(document.text) == "aZXbc")
    }

    @Test func ownOpInCatchUpIsItsAckAndNotAppliedTwice() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.insert("X")]))                 // seq 1 at v0, sent
        _ = try document.applyLocal(Self.op([.retain(4), .insert("Y")]))     // buffered
        document.connectionLost()
        #expect(document.beginJoin() == .join(clientId: Self.me, version: 0, user: nil))
        // The server committed another op first, then ours (as v1), then another.
        var catchUp = try document.receive(.operations([
            Self.record(0, Self.op([.retain(3), .insert("!")])),
            Self.record(1, Self.op([.insert("X")]), by: Self.me, seq: 1),
            Self.record(2, Self.op([.delete(1)])),
        ]))
        #expect(catchUp.contains(.acknowledged(seq: 1, version: 1)))
        catchUp = try document.receive(.joined(version: 3, clientId: Self.me, role: .editor, presence: []))
        #expect(String(document.text) == "abc!Y")
        // Not seq 1 again: the buffer goes out as seq 2 at the joined version.
        #expect(Self.sent(catchUp) == [.op(seq: 2, version: 3, operation: Self.op([.retain(4), .insert("Y")]))])
    }

    @Test func reconnectResubmitsExactlyTheUnacknowledgedOp() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.retain(3), .insert("X")]))   // seq 1 at v0
        _ = try document.receive(.operations([Self.record(0, Self.op([.insert("Q")]))]))
        _ = try document.applyLocal(Self.op([.insert("Y")]))               // buffered
        document.connectionLost()
        _ = document.beginJoin()
        _ = try document.receive(.operations([Self.record(1, Self.op([.insert("R")]))]))
        let effects = try document.receive(.joined(version: 2, clientId: Self.me, role: .editor, presence: []))
        // Same seq, same v, same op as first sent, though it was transformed twice meanwhile.
        #expect(Self.sent(effects) == [.op(seq: 1, version: 0, operation: Self.op([.retain(3), .insert("X")]))])
        #expect(String(document.text) == "RYQabcX")
        _ = try document.receive(.ack(seq: 1, version: 2))
        #expect(document.version == 3)
        #expect(document.lastSeq == 2)
    }

    @Test func staleAndUnknownAcksAreIgnored() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.insert("X")]))
        #expect(try document.receive(.ack(seq: 7, version: 0)) == [])
        #expect(document.version == 0)
        #expect(!document.pending.isEmpty)
    }

    @Test func ackForAVersionNotYetReceivedIsAProtocolError() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.insert("X")]))
        #expect(throws: ClientProtocolError.self) { try document.receive(.ack(seq: 1, version: 3)) }
        #expect(throws: ClientProtocolError.self) {
            try document.receive(.operations([Self.record(5, Self.op([.insert("Q")]))]))
        }
    }

    @Test func offlineEditsAreComposedAndSentInOrderAfterRejoin() throws {
        var document = try Self.joined()
        document.connectionLost()
        #expect(try document.applyLocal(Self.op([.retain(3), .insert("1")])) == nil)
        #expect(try document.applyLocal(Self.op([.retain(4), .insert("2")])) == nil)
        #expect(try document.applyLocal(Self.op([.delete(1)])) == nil)
        _ = document.beginJoin()
        _ = try document.receive(.operations([Self.record(0, Self.op([.retain(1), .insert("Z")]))]))
        let effects = try document.receive(.joined(version: 1, clientId: Self.me, role: .editor, presence: []))
        // One op, numbered when first sent, made against the version it is sent at.
        #expect(Self.sent(effects) == [.op(seq: 1, version: 1, operation: Self.op([.delete(1), .retain(3), .insert("12")]))])
        #expect(String(document.text) == "Zbc12")
    }

    @Test func offlineEditsBehindAnInflightOpFollowItsAck() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.insert("A")]))  // seq 1, sent
        document.connectionLost()
        _ = try document.applyLocal(Self.op([.retain(4), .insert("B")]))
        _ = document.beginJoin()
        let joined = try document.receive(.joined(version: 0, clientId: Self.me, role: .editor, presence: []))
        #expect(Self.sent(joined) == [.op(seq: 1, version: 0, operation: Self.op([.insert("A")]))])
        let acked = try document.receive(.ack(seq: 1, version: 0))
        #expect(Self.sent(acked) == [.op(seq: 2, version: 1, operation: Self.op([.retain(4), .insert("B")]))])
    }

    @Test func unsentEditEmptiedByARemoteOpIsDropped() throws {
        var document = try Self.joined()
        document.connectionLost()
        _ = try document.applyLocal(Self.op([.retain(1), .delete(1)]))
        _ = document.beginJoin()
        _ = try document.receive(.operations([Self.record(0, Self.op([.retain(1), .delete(1)]))]))
        let effects = try document.receive(.joined(version: 1, clientId: Self.me, role: .editor, presence: []))
        #expect(Self.sent(effects) == [])
        #expect(document.pending == .synchronized)
        #expect(String(document.text) == "ac")
    }

    @Test func snapshotOnRejoinDiscardsPendingEdits() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.insert("X")]))
        document.connectionLost()
        _ = document.beginJoin()
        let effects = try document.receive(.snapshot(version: 40, text: "fresh"))
        #expect(effects == [.textReplaced(discarded: Self.op([.insert("X")]))])
        #expect(String(document.text) == "fresh")
        #expect(document.pending == .synchronized)
        _ = try document.receive(.joined(version: 40, clientId: Self.me, role: .editor, presence: []))
        // Numbering continues: seq never goes backwards.
        #expect(try document.applyLocal(Self.op([.insert("Y")])) == .op(seq: 2, version: 40, operation: Self.op([.insert("Y")])))
    }

    @Test func rejectedOpDropsTheCopyAndRejoinsWithoutVersion() throws {
        var document = try Self.joined()
        _ = try document.applyLocal(Self.op([.insert("X")]))
        let effects = try document.receive(.error(code: "too_large", message: "too big", seq: 1))
        #expect(effects == [.rejoinRequired(code: "too_large", message: "too big", discarded: Self.op([.insert("X")]))])
        #expect(document.version == nil)
        #expect(!document.isEditable)
        // The rest of the dying connection is ignored.
        #expect(try document.receive(.ack(seq: 1, version: 0)) == [])
        #expect(document.beginJoin() == .join(clientId: Self.me, version: nil, user: nil))
    }

    @Test func rateLimitedOpIsResubmittedUnchanged() throws {
        var document = try Self.joined()
        let message = try document.applyLocal(Self.op([.insert("X")]))
        #expect(try document.receive(.error(code: "rate_limited", message: "", seq: 1)) == [.resubmitLater(seq: 1)])
        #expect(document.resubmission(seq: 1) == message)
        _ = try document.receive(.ack(seq: 1, version: 0))
        #expect(document.resubmission(seq: 1) == nil)
        #expect(try document.receive(.error(code: "bad_message", message: "x", seq: nil))
                == [.serverError(code: "bad_message", message: "x", seq: nil)])
    }

    @Test func viewersCannotEdit() throws {
        var document = ClientDocument(clientId: Self.me)
        _ = document.beginJoin()
        _ = try document.receive(.snapshot(version: 0, text: ""))
        _ = try document.receive(.joined(version: 0, clientId: Self.me, role: .viewer, presence: []))
        #expect(throws: ClientDocumentError.readOnly(.viewer)) { try document.applyLocal(Self.op([.insert("x")])) }
    }

    // MARK: - Presence

    static let ada = ParticipantUser(id: "ada", name: "Ada", color: "#ee3333")

    static func presence(_ version: Int, _ ranges: [(Int, Int)]?) -> PresenceRecord {
        PresenceRecord(clientId: "ada-client", user: ada, version: version,
                       selection: ranges.map { Selection($0.map { SelectionRange(anchor: $0.0, head: $0.1) }) })
    }

    static func selection(_ ranges: [(Int, Int)]) -> Selection {
        Selection(ranges.map { SelectionRange(anchor: $0.0, head: $0.1) })
    }

    @Test func remoteSelectionIsTransformedThroughLocalPendingEdits() throws {
        var document = try Self.joined(text: "hello world")
        _ = try document.applyLocal(Self.op([.insert("XX")]))               // in flight
        _ = try document.applyLocal(Self.op([.retain(8), .insert("-")]))    // buffered: XXhello- world
        let effects = try document.receive(.presence(Self.presence(0, [(6, 11), (0, 0)])))
        #expect(effects == [.presence(Participant(clientId: "ada-client", user: Self.ada,
                                                  selection: Self.selection([(9, 14), (2, 2)])))])
        // Later local edits move it too.
        _ = try document.applyLocal(Self.op([.delete(2)]))
        #expect(document.participants["ada-client"]?.selection == Self.selection([(7, 12), (0, 0)]))
        #expect(try document.receive(.leave(clientId: "ada-client")) == [.left(clientId: "ada-client")])
        #expect(document.participants.isEmpty)
    }

    @Test func presenceAheadOfAnAckWaitsForIt() throws {
        var document = try Self.joined(text: "hello")
        _ = try document.applyLocal(Self.op([.insert("AB")]))  // stored as v0 → server at v1
        #expect(try document.receive(.presence(Self.presence(1, [(4, 4)]))) == [])
        let effects = try document.receive(.ack(seq: 1, version: 0))
        #expect(effects.contains(.presence(Participant(clientId: "ada-client", user: Self.ada,
                                                       selection: Self.selection([(4, 4)])))))
    }

    @Test func olderPresenceIsBroughtForwardThroughRecentHistory() throws {
        var document = try Self.joined(text: "hello")
        _ = try document.receive(.operations([Self.record(0, Self.op([.insert(">>")]))]))
        let effects = try document.receive(.presence(Self.presence(0, [(5, 5)])))
        #expect(effects == [.presence(Participant(clientId: "ada-client", user: Self.ada, selection: Self.selection([(7, 7)])))])
    }

    @Test func joinedPresenceReplacesTheListAndReportsWhoLeft() throws {
        var document = try Self.joined(text: "hello")
        _ = try document.receive(.presence(Self.presence(0, [(1, 1)])))
        document.connectionLost()
        _ = document.beginJoin()
        let bob = PresenceRecord(clientId: "bob-client", user: ParticipantUser(id: "bob", name: "Bob", color: "#00ff00"),
                                 version: 0, selection: nil)
        let effects = try document.receive(.joined(version: 0, clientId: Self.me, role: .editor, presence: [bob]))
        #expect(effects == [.joined(version: 0), .left(clientId: "ada-client"),
                            .presence(Participant(clientId: "bob-client", user: bob.user, selection: nil))])
    }

    @Test func localSelectionFollowsRemoteEditsAndIsSentInServerCoordinates() throws {
        var document = try Self.joined(text: "hello")
        document.setSelection(Self.selection([(5, 5)]))
        _ = try document.receive(.operations([Self.record(0, Self.op([.insert(">>")]))]))
        #expect(document.selection == Self.selection([(7, 7)]))
        #expect(document.presenceMessage() == .presence(version: 1, selection: Self.selection([(7, 7)])))
        // Typing at the caret: the caret moves after the local insert, the server hears of it at
        // the insert point (the op will move it after the text there).
        _ = try document.applyLocal(Self.op([.retain(7), .insert("!!")]))
        #expect(document.selection == Self.selection([(9, 9)]))
        #expect(document.presenceMessage() == .presence(version: 1, selection: Self.selection([(7, 7)])))
        _ = try document.applyLocal(Self.op([.insert("#")]))
        document.setSelection(Self.selection([(0, 10)]))
        #expect(document.presenceMessage() == .presence(version: 1, selection: Self.selection([(0, 7)])))
        document.connectionLost()
        #expect(document.presenceMessage() == nil)
    }
}
