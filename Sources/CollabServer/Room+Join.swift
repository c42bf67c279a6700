import CollabOT

extension Room {
    /// Colours picked for clients that suggest none.
    static let palette = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
                          "#f032e6", "#469990", "#9a6324", "#800000", "#808000", "#000075"]

    /// Answers a valid `join` (contract §2.1): snapshot or catch-up, then `joined`,
    /// then the joiner's presence (selection null) to the others.
    ///
    /// The answer reflects the durable version only: with ops applied but not yet
    /// durable, the snapshot is the head text with those ops undone (their deleted
    /// texts are kept for that), and the catch-up stops at the durable version. The
    /// pending ops then reach the joiner as ordinary broadcasts when durable. The
    /// alternative, holding the answer until the pending commit completes, would add an
    /// fsync of latency to every join under load and still need the durable text when
    /// more ops are pending behind it.
    ///
    /// First the store is asked what the join needs (the client id's row, its join generation
    /// on a shared database, the stored version); the session holds what the client sends
    /// meanwhile. Another node may have stored versions this room has not taken in yet: a
    /// version the client saw there must not meet `version_ahead` here, so the answer waits
    /// until the room has caught up to the version read.
    func join(_ session: Session, _ request: JoinRequest) {
        guard failure == nil else {
            session.close(code: .internalError, reason: "storage failure")
            return
        }
        session.hold()
        store.joinState(of: request.clientId, in: documentId) { [weak self, weak session] result in
            guard let self, let session else { return }
            switch result {
            case .failure:
                session.resume { session.sendError(ClientMessageError(.internal, "storage failure")) }
            case .success(let stored):
                self.whenDurable(atLeast: stored.storedVersion) {
                    session.resume { self.answerJoin(session, request, stored: stored) }
                }
            }
        }
    }

    /// Answers a join once the room holds every version the store had when asked.
    private func answerJoin(_ session: Session, _ request: JoinRequest, stored: StoredJoinState,
                            historyRead: Bool = false) {
        guard failure == nil else {
            session.close(code: .internalError, reason: "storage failure")
            return
        }
        let clientId = request.clientId
        let sub = session.identity.sub ?? "anon-" + clientId
        let known = clientState(clientId, stored: stored.client)
        if let known, known.sub != sub {
            session.sendError(ClientMessageError(.badMessage, "clientId is held by another user"))
            return
        }
        if let version = request.version, version > durableVersion {
            session.sendError(ClientMessageError(.versionAhead, "version \(version) is ahead of the server's \(durableVersion)"))
            session.close(code: .versionAhead, reason: "version ahead")
            return
        }
        // A catch-up reaching past the window: read it in first (then join again from here).
        if !historyRead, let version = request.version, durableVersion - version <= configuration.maxCatchUpOps,
           case .notLoaded = records(from: version, to: durableVersion) {
            session.hold()
            loadHistory(from: version) { [weak self, weak session] _ in
                // A failed read leaves the history unloaded: the join gets a snapshot instead.
                guard let self, let session else { return }
                session.resume { self.answerJoin(session, request, stored: stored, historyRead: true) }
            }
            return
        }
        if clients[clientId] == nil { clients[clientId] = ClientIdState(sub: sub) }

        if let previous = sessions.first(where: { $0.clientId == clientId }) {
            // A connection the client already dropped and replaced can have its join read after
            // the newer one's: its 101 leaves from the accepting loop before the hand-off to this
            // loop is queued, and a dropped connection's bytes are still read. Its join must not
            // replace the newer session (that client would stop at 4000): it is the one replaced.
            guard previous.openOrder < session.openOrder else {
                session.closeReplaced()
                return
            }
            previous.closeReplaced()
        }
        // Across nodes: the newest join of a client id wins, wherever it landed.
        session.joinGeneration = stored.generation
        session.clientId = clientId
        session.sub = sub
        session.displayName = session.identity.name ?? request.userName ?? sub
        session.color = request.userColor ?? Self.pickColor(for: clientId)
        session.selection = nil

        // The join answer: a replay if possible, else a snapshot.
        var replayed = false
        if let version = request.version, durableVersion - version <= configuration.maxCatchUpOps,
           case .found(let records) = records(from: version, to: durableVersion) {
            sendCatchUp(records, to: session)
            replayed = true
        }
        if !replayed {
            let snapshot: String
            do {
                snapshot = try durableText()
            } catch {
                fail(RoomStoreError("pending ops do not invert: \(error)"))
                session.close(code: .internalError, reason: "internal error")
                return
            }
            session.send(.snapshot(version: durableVersion, text: snapshot))
        }
        // Everyone here, then everyone on the other nodes of a cluster (not this client itself).
        let others = sessions.map { presenceState(of: $0) }
            + remoteParticipants.values.filter { $0.state.clientId != clientId }.map(\.state)
                .sorted { $0.clientId < $1.clientId }
        session.markJoined()
        session.send(.joined(version: durableVersion, clientId: clientId, role: session.identity.role,
                             presence: others))
        let recipients = sessions
        sessions.append(session)
        let state = presenceState(of: session)
        let frame = ServerMessage.presence(state).frame
        for other in recipients { other.send(frame) }
        closeSlowConsumers(sessions)
        if let generation = session.joinGeneration { onLocalClaim?(clientId, generation) }
        onLocalPresence?(state)
    }

    /// Sends `records` as `ops` messages of at most `catchUpChunkRecords` records and
    /// about `catchUpChunkBytes` bytes each.
    func sendCatchUp(_ records: ArraySlice<OpRecord>, to session: Session) {
        var start = records.startIndex
        var bytes = 0
        for index in records.indices {
            let size = records[index].json.count + 1
            let count = index - start
            if count > 0 && (count >= configuration.catchUpChunkRecords || bytes + size > configuration.catchUpChunkBytes) {
                session.send(.ops(records[start..<index]))
                start = index
                bytes = 0
            }
            bytes += size
        }
        if start < records.endIndex {
            session.send(.ops(records[start...]))
        }
    }

    /// `session`'s presence as sent to others, at the durable version.
    func presenceState(of session: Session) -> PresenceState {
        PresenceState(clientId: session.clientId, userId: session.sub, name: session.displayName,
                      color: session.color, version: durableVersion, selection: session.selection)
    }

    /// A colour from the palette, the same for a client id every time (FNV-1a, not the
    /// per-process seeded `Hasher`).
    static func pickColor(for clientId: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in clientId.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return palette[Int(hash % UInt64(palette.count))]
    }
}
