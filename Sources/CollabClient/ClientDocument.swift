import CollabOT

/// The client half of the `collab.v1` contract as a pure state machine: no sockets, no clocks.
///
/// It holds the local text (server document at `version` plus pending local edits), runs the
/// ot.js states (`PendingEdits`), numbers ops (`seq`, continuing across reconnects), and keeps
/// selections — its own and the other participants' — in local coordinates. The driver feeds
/// it local edits and server messages and carries out the returned effects.
public struct ClientDocument: Sendable {
    /// Where the connection is, as far as the document cares.
    public enum Phase: Sendable, Hashable {
        /// No connection: local edits are kept and composed.
        case offline
        /// `join` sent, waiting for the catch-up and `joined`.
        case joining
        /// Joined: ops and presence flow.
        case joined
    }

    /// This editing session's id, reused on every reconnect.
    public let clientId: String
    /// The local text: the server's document at `version` with the pending edits applied.
    public private(set) var text: Rope
    /// The server version the local text is based on; nil until the document is loaded.
    public private(set) var version: Int?
    /// The connection phase.
    public private(set) var phase: Phase = .offline
    /// The role from the last `joined`.
    public private(set) var role: DocumentRole?
    /// The highest `seq` used so far; the next op gets one more.
    public private(set) var lastSeq: Int
    /// What the server has not yet acknowledged.
    public private(set) var pending: PendingEdits = .synchronized
    /// The local selection in local coordinates, or nil for none.
    public private(set) var selection: Selection?
    /// The other participants, selections in local coordinates.
    public private(set) var participants: [String: Participant] = [:]

    /// Presence that refers to a version not received yet (it raced an ack); applied once it is.
    private var deferredPresence: [String: PresenceRecord] = [:]
    /// Recent server ops in server space, `history[i]` taking version `historyStart + i` onwards,
    /// to bring an older presence up to date.
    private var history: [TextOperation] = []
    private var historyStart = 0
    private static let historyLimit = 256
    /// The local user's undo and redo stacks.
    private var undoHistory: UndoHistory
    /// Reverts the latest change to the local text, whoever made it (`undoLastChangeByAnyone`).
    private var lastChangeInverse: TextOperation?

    /// A document not loaded yet. `lastSeq` continues a numbering (normally 0: a fresh clientId).
    /// Local edits closer than `undoGrouping` (and touching) form one undo step; each stack
    /// keeps at most `undoLimit` steps.
    public init(clientId: String, lastSeq: Int = 0, undoGrouping: Duration = .milliseconds(500),
                undoLimit: Int = 500) {
        self.clientId = clientId
        self.lastSeq = lastSeq
        text = Rope()
        undoHistory = UndoHistory(groupingInterval: undoGrouping, limit: undoLimit)
    }

    /// A document restored from a saved state (after a restart): offline, at the saved version
    /// with the saved text and pending edits, numbering on from the saved `lastSeq`. The next
    /// join resubmits the in-flight op exactly as it was sent, so it lands once.
    public init(restoring state: SavedDocumentState, undoGrouping: Duration = .milliseconds(500), undoLimit: Int = 500) {
        self.init(clientId: state.clientId, lastSeq: state.lastSeq, undoGrouping: undoGrouping, undoLimit: undoLimit)
        text = Rope(state.text)
        version = state.version
        historyStart = state.version ?? 0
        pending = state.version == nil ? .synchronized : state.pending
    }

    /// What to save so the pending edits survive a restart (see `init(restoring:)`).
    public func savedState(documentURL: String) -> SavedDocumentState {
        SavedDocumentState(documentURL: documentURL, clientId: clientId, lastSeq: lastSeq, version: version,
                           text: String(text), pending: pending)
    }

    /// Whether local edits are accepted (the document is loaded and the role can edit).
    public var isEditable: Bool {
        version != nil && (role?.canEdit ?? true)
    }

    // MARK: - Connection

    /// Starts a join on a new connection: the `join` message to send first.
    public mutating func beginJoin(user: UserHints? = nil) -> OutboundMessage {
        phase = .joining
        deferredPresence = [:]
        return .join(clientId: clientId, version: version, user: user)
    }

    /// The connection ended. Pending edits stay; the in-flight op is resubmitted after the next join.
    public mutating func connectionLost() {
        phase = .offline
        deferredPresence = [:]
    }

    /// Drops the local copy (after `version_ahead`, `version_gone` or a rejected op): the next
    /// join asks for the whole document. Returns the pending edits thrown away. The text stays
    /// visible, read-only, until the snapshot replaces it.
    public mutating func dropCopy() -> TextOperation? {
        let discarded = pending.composed
        pending = .synchronized
        version = nil
        phase = .offline
        history = []
        deferredPresence = [:]
        return discarded
    }

    // MARK: - Outbound

    /// Applies a local edit to the text, records it for undo and queues it. Returns the `op`
    /// message to send now, if one can go (joined and nothing in flight).
    ///
    /// `time` is when the user made the edit: edits within the undo grouping interval of each
    /// other that touch form one undo step. Without a time the edit is a step of its own.
    public mutating func applyLocal(_ operation: TextOperation,
                                    at time: ContinuousClock.Instant? = nil) throws(ClientDocumentError) -> OutboundMessage? {
        try checkEditable()
        if operation.isNoop {
            do { try operation.check(documentLength: text.count) } catch { throw .invalidOperation(error) }
            return nil
        }
        let selectionBefore = selection
        let inverse = try applyToText(operation)
        undoHistory.recordEdit(operation, inverse: inverse, selectionBefore: selectionBefore, at: time)
        return queueLocal(operation)
    }

    // MARK: - Undo

    /// Whether there is a step of the local user's to undo. A step others' edits have emptied
    /// still counts until `undo()` skips it.
    public var canUndo: Bool { !undoHistory.undoSteps.isEmpty }

    /// Whether there is an undone step to redo.
    public var canRedo: Bool { !undoHistory.redoSteps.isEmpty }

    /// Reverts the local user's latest undo step: its inverse, transformed through every op
    /// applied since (others' included), applied and queued as a new local edit. Others' text
    /// is never touched. Steps whose text others have deleted entirely are skipped. Returns
    /// what was done and the `op` message to send now, or nil if nothing was left to undo.
    public mutating func undo() throws(ClientDocumentError) -> (outcome: UndoOutcome, message: OutboundMessage?)? {
        try checkEditable()
        undoHistory.closeGroup()
        guard let step = undoHistory.popUndo() else { return nil }
        let selectionBefore = selection
        let inverse = try applyToText(step.operation)
        undoHistory.pushRedo(UndoStep(operation: inverse, selection: selectionBefore))
        return finishRevert(step)
    }

    /// Re-applies the latest undone step, transformed like `undo()`. A new edit (not an undo or
    /// redo) clears what can be redone.
    public mutating func redo() throws(ClientDocumentError) -> (outcome: UndoOutcome, message: OutboundMessage?)? {
        try checkEditable()
        undoHistory.closeGroup()
        guard let step = undoHistory.popRedo() else { return nil }
        let selectionBefore = selection
        let inverse = try applyToText(step.operation)
        undoHistory.pushUndo(UndoStep(operation: inverse, selection: selectionBefore))
        return finishRevert(step)
    }

    /// Reverts the latest change to the local text whoever made it, as a new local edit (itself
    /// an undo step). Not what `undo()` does: most users expect to undo only their own edits.
    /// Calling it twice reverts the revert. Nil if there was no change since the text was loaded.
    public mutating func undoLastChangeByAnyone(at time: ContinuousClock.Instant? = nil)
        throws(ClientDocumentError) -> (outcome: UndoOutcome, message: OutboundMessage?)?
    {
        guard let inverse = lastChangeInverse, !inverse.isNoop else { return nil }
        undoHistory.closeGroup()
        let message = try applyLocal(inverse, at: time)
        undoHistory.closeGroup()
        let caret = Selection([SelectionRange(cursor: inverse.caretAfter)])
        selection = caret
        return (UndoOutcome(operation: inverse, selection: caret), message)
    }

    private func checkEditable() throws(ClientDocumentError) {
        guard version != nil else { throw .notLoaded }
        if let role, !role.canEdit { throw .readOnly(role) }
    }

    /// Applies `operation` to the text; returns the op that reverts it.
    private mutating func applyToText(_ operation: TextOperation) throws(ClientDocumentError) -> TextOperation {
        let inverse: TextOperation
        do {
            // Inverting checks the op against the text first, so a refused op changes nothing.
            inverse = try operation.inverted(against: text)
            try text.apply(operation)
        } catch {
            throw .invalidOperation(error)
        }
        lastChangeInverse = inverse
        return inverse
    }

    private mutating func finishRevert(_ step: UndoStep) -> (outcome: UndoOutcome, message: OutboundMessage?) {
        let message = queueLocal(step.operation)
        let restored = (step.selection ?? Selection([SelectionRange(cursor: step.operation.caretAfter)]))
            .clamped(toLength: text.count)
        selection = restored
        return (UndoOutcome(operation: step.operation, selection: restored), message)
    }

    /// Carries a local op already applied to the text into selections and the pending edits.
    private mutating func queueLocal(_ operation: TextOperation) -> OutboundMessage? {
        if operation.isNoop { return nil }
        selection = selection.map { operation.transform(selection: $0) }
        transformParticipants(by: operation)
        switch pending {
        case .synchronized:
            pending = .awaitingAck(PendingOperation(operation: operation))
        case .awaitingAck(var inflight):
            if inflight.submission == nil {
                // Never sent: it may still grow.
                inflight.operation = TextOperation.compose(inflight.operation, operation)
                pending = inflight.operation.isNoop ? .synchronized : .awaitingAck(inflight)
            } else {
                pending = .awaitingWithBuffer(inflight, buffer: operation)
            }
        case .awaitingWithBuffer(let inflight, let buffer):
            pending = .awaitingWithBuffer(inflight, buffer: TextOperation.compose(buffer, operation))
        }
        return submitIfPossible()
    }

    /// Sets the local selection (local coordinates; clamped to the text).
    public mutating func setSelection(_ newSelection: Selection?) {
        selection = newSelection?.clamped(toLength: text.count)
    }

    /// The `presence` message for the local selection, mapped back to the server's version
    /// (through the pending edits); nil unless joined.
    public func presenceMessage() -> OutboundMessage? {
        guard phase == .joined, let version else { return nil }
        guard var mapped = selection else { return .presence(version: version, selection: nil) }
        switch pending {
        case .synchronized:
            break
        case .awaitingAck(let inflight):
            mapped = inflight.operation.selectionBefore(mapped)
        case .awaitingWithBuffer(let inflight, let buffer):
            mapped = inflight.operation.selectionBefore(buffer.selectionBefore(mapped))
        }
        return .presence(version: version, selection: mapped)
    }

    /// The in-flight op's message again, for `resubmitLater`; nil if it was acknowledged meanwhile.
    public func resubmission(seq: Int) -> OutboundMessage? {
        guard phase == .joined else { return nil }
        switch pending {
        case .awaitingAck(let inflight), .awaitingWithBuffer(let inflight, _):
            guard let submission = inflight.submission, submission.seq == seq else { return nil }
            return submission.message
        case .synchronized:
            return nil
        }
    }

    /// Sends the pending op if it has not gone yet and the connection allows it.
    private mutating func submitIfPossible() -> OutboundMessage? {
        guard phase == .joined, let version, case .awaitingAck(var inflight) = pending,
              inflight.submission == nil
        else { return nil }
        lastSeq += 1
        let submission = OperationSubmission(seq: lastSeq, version: version, operation: inflight.operation)
        inflight.submission = submission
        pending = .awaitingAck(inflight)
        return submission.message
    }

    // MARK: - Inbound

    /// Handles one server message. A thrown error means the state can no longer be trusted for
    /// this connection: the driver drops the connection (and the document was not changed).
    public mutating func receive(_ message: InboundMessage) throws(ClientProtocolError) -> [ClientDocumentEffect] {
        // After `dropCopy` the rest of a dying connection's messages mean nothing.
        guard phase != .offline else { return [] }
        switch message {
        case .snapshot(let snapshotVersion, let snapshotText):
            guard phase == .joining else { throw ClientProtocolError("snapshot outside a join") }
            return [loadSnapshot(version: snapshotVersion, text: snapshotText)]
        case .operations(let records):
            var effects: [ClientDocumentEffect] = []
            for record in records { try receive(record, into: &effects) }
            return effects
        case .joined(let joinedVersion, _, let joinedRole, let presence):
            guard phase == .joining else { throw ClientProtocolError("joined outside a join") }
            guard joinedVersion == version else {
                throw ClientProtocolError("joined at \(joinedVersion), holding \(version.map(String.init) ?? "nothing")")
            }
            return finishJoin(role: joinedRole, presence: presence)
        case .ack(let seq, let ackVersion):
            return try acknowledge(seq: seq, version: ackVersion)
        case .presence(let record):
            guard record.clientId != clientId else { return [] }
            return receivePresence(record).map { [.presence($0)] } ?? []
        case .leave(let leaving):
            deferredPresence[leaving] = nil
            guard participants.removeValue(forKey: leaving) != nil else { return [] }
            return [.left(clientId: leaving)]
        case .error(let code, let text, let seq):
            return receiveError(code: code, message: text, seq: seq)
        case .pong, .unknown:
            return []
        }
    }

    private mutating func loadSnapshot(version snapshotVersion: Int, text snapshotText: String) -> ClientDocumentEffect {
        let discarded = pending.composed
        pending = .synchronized
        text = Rope(snapshotText)
        version = snapshotVersion
        history = []
        historyStart = snapshotVersion
        // The new text has no known relation to the old one: nothing to undo in it.
        undoHistory.clear()
        lastChangeInverse = nil
        selection = selection?.clamped(toLength: text.count)
        for (id, participant) in participants {
            participants[id]?.selection = participant.selection?.clamped(toLength: text.count)
        }
        return .textReplaced(discarded: discarded)
    }

    private mutating func finishJoin(role joinedRole: DocumentRole, presence: [PresenceRecord]) -> [ClientDocumentEffect] {
        phase = .joined
        role = joinedRole
        var effects: [ClientDocumentEffect] = [.joined(version: version ?? 0)]
        let present = Set(presence.map(\.clientId))
        for id in participants.keys.sorted() where !present.contains(id) {
            participants[id] = nil
            effects.append(.left(clientId: id))
        }
        for record in presence where record.clientId != clientId {
            if let participant = receivePresence(record) { effects.append(.presence(participant)) }
        }
        // Exactly the unacknowledged op again (same seq, same v), else whatever waited offline.
        switch pending {
        case .awaitingAck(let inflight), .awaitingWithBuffer(let inflight, _):
            if let submission = inflight.submission {
                effects.append(.send(submission.message))
            } else if let message = submitIfPossible() {
                effects.append(.send(message))
            }
        case .synchronized:
            break
        }
        return effects
    }

    private mutating func receive(_ record: RemoteOperation, into effects: inout [ClientDocumentEffect]) throws(ClientProtocolError) {
        guard let version else { throw ClientProtocolError("op before the document was loaded") }
        if record.version < version { return }  // Already have it.
        guard record.version == version else {
            throw ClientProtocolError("op for version \(record.version) while at \(version)")
        }
        // Our own op in the catch-up is its ack (contract §2.1): never transform over it.
        if record.clientId == clientId, let inflight = inflightSubmission, inflight.seq == record.seq {
            effects += try acknowledge(seq: record.seq, version: record.version)
            return
        }
        var remote = record.operation
        var newPending = pending
        switch pending {
        case .synchronized:
            break
        case .awaitingAck(var inflight):
            (remote, inflight.operation) = TextOperation.transform(remote, inflight.operation)
            newPending = Self.droppingUnsentNoop(inflight)
        case .awaitingWithBuffer(var inflight, let buffer):
            (remote, inflight.operation) = TextOperation.transform(remote, inflight.operation)
            let transformedBuffer: TextOperation
            (remote, transformedBuffer) = TextOperation.transform(remote, buffer)
            newPending = .awaitingWithBuffer(inflight, buffer: transformedBuffer)
        }
        let remoteInverse: TextOperation
        do {
            remoteInverse = try remote.inverted(against: text)
            try text.apply(remote)
        } catch {
            throw ClientProtocolError("remote op v\(record.version) does not apply: \(error)", requiresReload: true)
        }
        if !remote.isNoop { lastChangeInverse = remoteInverse }
        undoHistory.recordRemote(remote)
        pending = newPending
        appendHistory(record.operation)
        self.version = version + 1
        selection = selection.map { remote.transform(selection: $0) }
        transformParticipants(by: remote)
        effects.append(.remoteEdit(RemoteEdit(operation: remote, record: record)))
        effects += releaseDeferredPresence()
    }

    private var inflightSubmission: OperationSubmission? {
        switch pending {
        case .synchronized: nil
        case .awaitingAck(let inflight), .awaitingWithBuffer(let inflight, _): inflight.submission
        }
    }

    /// An op that was never sent and that transformation emptied is simply gone (the server
    /// refuses empty ops); a sent one stays, as its original goes out again on resubmission.
    private static func droppingUnsentNoop(_ inflight: PendingOperation) -> PendingEdits {
        inflight.submission == nil && inflight.operation.isNoop ? .synchronized : .awaitingAck(inflight)
    }

    private mutating func acknowledge(seq: Int, version ackVersion: Int) throws(ClientProtocolError) -> [ClientDocumentEffect] {
        // Acks for ops sent on an earlier connection and already settled through the catch-up are stale.
        guard let inflight = inflightSubmission, inflight.seq == seq, let version else { return [] }
        guard ackVersion == version else {
            throw ClientProtocolError("ack of seq \(seq) as v\(ackVersion) while at \(version)")
        }
        let next: PendingEdits
        switch pending {
        case .awaitingAck(let acknowledged):
            appendHistory(acknowledged.operation)
            next = .synchronized
        case .awaitingWithBuffer(let acknowledged, let buffer):
            appendHistory(acknowledged.operation)
            next = buffer.isNoop ? .synchronized : .awaitingAck(PendingOperation(operation: buffer))
        case .synchronized:
            return []
        }
        pending = next
        self.version = version + 1
        var effects: [ClientDocumentEffect] = [.acknowledged(seq: seq, version: ackVersion)]
        if let message = submitIfPossible() { effects.append(.send(message)) }
        effects += releaseDeferredPresence()
        return effects
    }

    private mutating func receiveError(code: String, message: String, seq: Int?) -> [ClientDocumentEffect] {
        guard let seq, let inflight = inflightSubmission, inflight.seq == seq else {
            return [.serverError(code: code, message: message, seq: seq)]
        }
        switch code {
        case "rate_limited", "op_in_flight":
            return [.resubmitLater(seq: seq)]
        case "version_ahead", "version_gone":
            // The close (4409/4410) that follows makes the driver drop the copy.
            return [.serverError(code: code, message: message, seq: seq)]
        default:
            // bad_op, too_large, forbidden, ...: the op changed nothing and never will. The local
            // text has it applied, so the copy is no longer the server's: reload it.
            return [.rejoinRequired(code: code, message: message, discarded: dropCopy())]
        }
    }

    // MARK: - Presence

    private mutating func receivePresence(_ record: PresenceRecord) -> Participant? {
        guard let version else { return nil }
        if record.version > version {
            deferredPresence[record.clientId] = record
            return nil
        }
        deferredPresence[record.clientId] = nil
        let participant = Participant(clientId: record.clientId, user: record.user,
                                      selection: record.selection.map { localSelection(of: $0, at: record.version) })
        participants[record.clientId] = participant
        return participant
    }

    /// A selection at server version `at` (≤ `version`) in local coordinates.
    private func localSelection(of serverSelection: Selection, at selectionVersion: Int) -> Selection {
        guard let version else { return serverSelection }
        var result = serverSelection
        if selectionVersion < version {
            if selectionVersion >= historyStart {
                for operation in history[(selectionVersion - historyStart)...] {
                    result = operation.transform(selection: result)
                }
            }
        }
        switch pending {
        case .synchronized:
            break
        case .awaitingAck(let inflight):
            result = inflight.operation.transform(selection: result)
        case .awaitingWithBuffer(let inflight, let buffer):
            result = buffer.transform(selection: inflight.operation.transform(selection: result))
        }
        return result.clamped(toLength: text.count)
    }

    private mutating func releaseDeferredPresence() -> [ClientDocumentEffect] {
        guard let version, !deferredPresence.isEmpty else { return [] }
        var effects: [ClientDocumentEffect] = []
        for record in deferredPresence.values.sorted(by: { $0.clientId < $1.clientId }) where record.version <= version {
            if let participant = receivePresence(record) { effects.append(.presence(participant)) }
        }
        return effects
    }

    private mutating func transformParticipants(by operation: TextOperation) {
        for (id, participant) in participants {
            if let current = participant.selection {
                participants[id]?.selection = operation.transform(selection: current)
            }
        }
    }

    private mutating func appendHistory(_ operation: TextOperation) {
        history.append(operation)
        if history.count > Self.historyLimit {
            let excess = history.count - Self.historyLimit / 2
            history.removeFirst(excess)
            historyStart += excess
        }
    }
}
