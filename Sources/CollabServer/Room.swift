import CollabOT
import CollabStorage
import CollabTransport

/// One document's collaboration state: its text, recent ops, clients and presence.
///
/// All of a room's work runs on one event loop (the one owning its connections), so
/// the room is deliberately not `Sendable`. The op pipeline (contract §2.2): validate,
/// transform one by one over every op since `v`, apply, give a version, append to the
/// store, and only when the store says durable, ack the author and send the record to
/// everyone else. The room keeps up to `maxOutstandingAppends` appends outstanding
/// (completed in order); ops applied while that many are outstanding go together in the
/// next append, so the store's completion covers a batch and each recipient gets one
/// `ops` message for it.
public final class Room {
    /// The document's id.
    public let documentId: String
    /// Limits and intervals.
    public let configuration: RoomConfiguration
    let store: any RoomStore
    let clock: any RoomClock

    /// The text with every applied op, durable or not.
    var text: DocumentText
    /// Versions applied: the text is at this version.
    var headVersion: Int
    /// Versions durable; clients only ever see the document up to here.
    public internal(set) var durableVersion: Int
    /// Recent ops, `recent[i].version == recentBase + i`, through `headVersion - 1`.
    /// Non-durable ops are never trimmed.
    var recent: [OpRecord]
    var recentBase: Int
    /// Record counts of the outstanding appends, oldest first (they follow `durableVersion`).
    var appendingBatches: [Int] = []
    /// Versions handed to the store: `durableVersion` plus every outstanding append.
    var submittedVersion: Int
    var clients: [String: ClientIdState] = [:]
    /// Joined sessions, in join order.
    var sessions: [Session] = []
    var lastSnapshotVersion: Int
    /// The compaction horizon: no catch-up or transform from a version below it.
    var horizon = 0
    /// Bumped by every catch-up: completions of appends made before it are stale.
    var appendEpoch = 0
    /// Catch-ups since the last successful append (bounded, then the room fails).
    var consecutiveCatchUps = 0
    /// Waiting, after repeated conflicts, before catching up and appending again.
    var isBackingOff = false
    /// Reading the ops another writer stored (off the loop); no append or poll starts meanwhile.
    var isCatchingUp = false
    /// How each op not yet durable came to be, by the version it holds now. A catch-up makes
    /// it again from scratch over the new stored order: a client's op transformed from its base
    /// version as its author will compute it (transforming the already transformed op over the
    /// other writer's ops need not give the same text: OT's TP2 does not hold), a restore re-diffed.
    var submissions: [Int: Submission] = [:]
    /// Told of each catch-up and what caused it (metrics).
    var onCatchUp: ((CatchUpCause) -> Void)?
    /// Ops other nodes announced as committed (their notices' records), by version, at or
    /// above the durable version: taken in, in version order, as soon as the room can.
    var noticed: [Int: CollabStorage.OpRecord] = [:]
    /// The highest version other nodes announced as stored.
    var noticedHead = 0
    /// A notice is missing below `noticedHead`: when this fires, the gap is read from the store.
    var noticeGapTimer: (any RoomTimer)?
    /// Called once when the room fails (for the log).
    var onFailure: ((RoomStoreError) -> Void)?
    /// Participants on other nodes of a cluster, by client id.
    var remoteParticipants: [String: RemoteParticipant] = [:]
    /// Other nodes' presences that refer to versions this room has not reached yet.
    var heldRemotePresence: [String: (node: String, state: PresenceState)] = [:]
    /// Told of each presence this room broadcasts of its own participants, and of their
    /// leaves: for the other nodes of a cluster.
    var onLocalPresence: ((PresenceState) -> Void)?
    var onLocalLeave: ((_ clientId: String) -> Void)?
    /// Told of each join's generation on a shared database: for the other nodes, which close
    /// their older connection of that client id.
    var onLocalClaim: ((_ clientId: String, _ generation: Int) -> Void)?
    /// Waiting for the durable version to reach a version (a join that read a stored version
    /// this room has not taken in yet); run then, or when the room fails.
    var durableWaiters: [(version: Int, body: () -> Void)] = []
    /// Below this version the store has no ops left to read into the window (pruned).
    var storedHistoryFloor = 0
    /// The answer of the last store lookup of a resubmitted seq past the window, by client id,
    /// taken by the retried submission.
    var seqLookups: [String: (seq: Int, version: Int?)] = [:]
    /// Restores waiting for their op to be durable, in version order.
    var pendingRestores: [(version: Int, completion: (RestoreOutcome) -> Void)] = []
    /// Why the room stopped (a failed append); a failed room closes every connection
    /// and must be dropped and loaded again from the store.
    public internal(set) var failure: RoomStoreError?

    /// Loads `documentId` from `store`: its latest snapshot plus the ops after it.
    public init(documentId: String, store: any RoomStore, clock: any RoomClock,
                configuration: RoomConfiguration = RoomConfiguration()) throws(RoomStoreError) {
        self.documentId = documentId
        self.store = store
        self.clock = clock
        self.configuration = configuration
        let stored = try store.loadDocument(documentId)
        var text = DocumentText(stored.snapshotText)
        for (index, record) in stored.ops.enumerated() {
            guard record.version == stored.snapshotVersion + index else {
                throw RoomStoreError("op log of \(documentId) has a gap at version \(stored.snapshotVersion + index)")
            }
            do {
                try text.apply(record.operation)
            } catch {
                throw RoomStoreError("op \(record.version) of \(documentId) does not apply: \(error)")
            }
        }
        self.text = text
        headVersion = stored.snapshotVersion + stored.ops.count
        durableVersion = headVersion
        submittedVersion = headVersion
        recent = Array(stored.ops.suffix(configuration.recentOpsWindow))
        recentBase = headVersion - recent.count
        lastSnapshotVersion = stored.snapshotVersion
    }

    /// Joined connections.
    public var participantCount: Int { sessions.count }

    /// Whether ops are applied but not yet durable (the room must not be unloaded then).
    public var hasPendingCommits: Bool { headVersion > durableVersion }

    /// The durable text (what a joiner would get in a snapshot).
    public func currentText() throws(TextOperationError) -> String {
        try durableText()
    }

    /// Closes every connection (e.g. 1001 at shutdown), without `leave` messages.
    public func closeAll(code: WebSocketCloseCode, reason: String) {
        for session in sessions {
            session.close(code: code, reason: reason, announce: false)
        }
    }

    // MARK: - State helpers

    /// The text at `durableVersion`: the head text with the pending ops undone.
    func durableText() throws(TextOperationError) -> String {
        guard headVersion > durableVersion else { return text.string }
        return try text.undoing(recent[(durableVersion - recentBase)...])
    }

    /// Scalar length change of the applied ops from `version` to the head.
    func lengthChange(since version: Int) -> Int {
        var change = 0
        for record in recent[(max(version, recentBase) - recentBase)...] { change += record.operation.lengthChange }
        return change
    }

    /// The ops from `version` to `end` (exclusive) as far as memory tells.
    enum History {
        /// In memory.
        case found(ArraySlice<OpRecord>)
        /// Below the compaction horizon or pruned from the store: nobody can have them.
        case gone
        /// Older than the window: `loadHistory(from:)` reads them in.
        case notLoaded
    }

    /// The ops from `version` to `end` (exclusive), if they are in memory.
    func records(from version: Int, to end: Int) -> History {
        guard version <= end else { return .found([]) }
        guard version >= horizon, version >= storedHistoryFloor || version >= recentBase else { return .gone }
        guard version >= recentBase else { return .notLoaded }
        return .found(recent[(version - recentBase)..<(end - recentBase)])
    }

    /// Reads the stored ops from `version` up to the window into it (they leave again with the
    /// next trim), then calls `completion` on the loop. Ops the store no longer has mark the
    /// history `gone` below the window; a failed read is passed on.
    func loadHistory(from version: Int, completion: @escaping (Result<Void, RoomStoreError>) -> Void) {
        let base = recentBase
        guard version < base else {
            completion(.success(()))
            return
        }
        store.ops(of: documentId, from: version, limit: base - version) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error):
                completion(.failure(error))
            case .success(let read):
                let older = read.filter { $0.version < base }
                // The window only moves up meanwhile (a trim): then what was read ends below it
                // and the caller, asking again, reads again.
                if self.recentBase == base {
                    if !self.prependToWindow(older[...], from: version) {
                        // Pruned: the store keeps (at most) the ops it returned.
                        let kept = older.last?.version == base - 1 ? older.first?.version ?? base : base
                        self.storedHistoryFloor = max(self.storedHistoryFloor, kept)
                    }
                }
                completion(.success(()))
            }
        }
    }

    /// Puts `older` (the stored ops from `version` up to the window) in front of the window;
    /// false, changing nothing, unless they are exactly those.
    func prependToWindow(_ older: ArraySlice<OpRecord>, from version: Int) -> Bool {
        guard older.count == recentBase - version, older.first?.version == version else { return false }
        recent = Array(older) + recent
        recentBase = version
        return true
    }

    /// What is known of `clientId`: from memory and from what the store said at its join,
    /// whichever saw later seqs (it may have stored ops through another node since).
    func clientState(_ clientId: String, stored: StoredClient?) -> ClientIdState? {
        guard let stored else { return clients[clientId] }
        if var state = clients[clientId] {
            if state.inFlightSeq == nil, stored.highestSeq > state.highestSeq {
                state.highestSeq = stored.highestSeq
                state.lastStoredVersion = stored.highestSeqVersion
                clients[clientId] = state
            }
            return state
        }
        let state = ClientIdState(stored: stored)
        clients[clientId] = state
        return state
    }

    /// Runs `body` once the durable version reaches `version` (at once if it has), or when the
    /// room fails. A version above the durable one was stored by another writer, or by this
    /// room's appends not yet completed: a poll takes the former in.
    func whenDurable(atLeast version: Int, _ body: @escaping () -> Void) {
        guard version > durableVersion, failure == nil else {
            body()
            return
        }
        durableWaiters.append((version, body))
        pollStoredHead(knownStored: version)
    }

    /// Runs the waiters the durable version (or a failure) satisfies; polls for the others if
    /// nothing else is under way that will move the durable version.
    func runDurableWaiters() {
        guard !durableWaiters.isEmpty else { return }
        let ready = durableWaiters.filter { failure != nil || $0.version <= durableVersion }
        durableWaiters.removeAll { failure != nil || $0.version <= durableVersion }
        for waiter in ready { waiter.body() }
        if let highest = durableWaiters.map(\.version).max() { pollStoredHead(knownStored: highest) }
    }

    /// Stops the room after a storage failure: every connection is closed with 1011.
    func fail(_ error: RoomStoreError) {
        guard failure == nil else { return }
        failure = error
        onFailure?(error)
        let restores = pendingRestores
        pendingRestores = []
        for restore in restores { restore.completion(.failed(error.description)) }
        runDurableWaiters()
        for session in sessions {
            session.close(code: .internalError, reason: "storage failure", announce: false)
        }
    }

    // MARK: - Membership and sending

    /// Takes `session` out of the room; with `announce`, the others get `leave`.
    func remove(_ session: Session, announce: Bool) {
        guard let index = sessions.firstIndex(where: { $0 === session }) else { return }
        sessions.remove(at: index)
        session.presenceTimer?.cancel()
        session.presenceTimer = nil
        if announce {
            let frame = ServerMessage.leave(clientId: session.clientId).frame
            let recipients = sessions
            for other in recipients { other.send(frame) }
            closeSlowConsumers(recipients)
            onLocalLeave?(session.clientId)
        }
    }

    /// Closes with 1013 every one of `recipients` whose send queue overflowed.
    func closeSlowConsumers(_ recipients: [Session]) {
        for session in recipients where session.isJoined && session.client.queuedBytes > configuration.maxQueuedBytes {
            session.close(code: .tryAgainLater, reason: "send queue overflowed")
        }
    }

    /// `records` as one message: `op` for one, `ops` for several.
    func message(for records: ArraySlice<OpRecord>) -> ServerMessage {
        if records.count == 1, let record = records.first { return .op(record) }
        return .ops(records)
    }
}

@available(*, unavailable)
extension Room: Sendable {}
