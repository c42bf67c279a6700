import CollabAuth
import CollabJSON
import CollabOT
import CollabTransport

extension Room {
    // MARK: - Submit

    /// Runs an `op` through the contract's checks in order (§2.2), then transforms,
    /// applies and appends it. The answer (`ack`) comes when the append is durable.
    func submit(_ submission: OpSubmission, from session: Session) {
        let seq = submission.seq
        guard failure == nil, var client = clients[session.clientId] else {
            session.sendError(ClientMessageError(.internal, "storage failure", seq: seq))
            return
        }

        // 1. Already stored, or being stored: the ack of the original (contents not compared).
        if client.inFlightSeq == seq {
            // Still being stored: the ack goes to this client id when it is durable.
            return
        }
        if seq <= client.highestSeq {
            switch storedVersion(ofSeq: seq, clientId: session.clientId) {
            case .stored(let version):
                session.send(.ack(seq: seq, version: version))
                return
            case .notStored:
                break
            case .notLoaded:
                // Older than the window: ask the store, holding what the client sends meanwhile,
                // then take this op again.
                session.hold()
                store.version(ofSeq: seq, clientId: session.clientId, of: documentId) { [weak self, weak session] result in
                    guard let self, let session else { return }
                    switch result {
                    case .success(let version):
                        self.seqLookups[session.clientId] = (seq, version)
                        session.resume { self.submit(submission, from: session) }
                    case .failure:
                        session.resume {
                            session.sendError(ClientMessageError(.internal, "storage failure", seq: seq))
                        }
                    }
                }
                return
            }
        }
        // 2. Viewers may not edit.
        guard session.identity.role.canWrite else {
            session.sendError(ClientMessageError(.forbidden, "viewers cannot edit", seq: seq))
            return
        }
        // 3. One op in flight per client; an op made without seeing the previous ack.
        let integerVersion: Int?
        if case .integer(let version)? = submission.version { integerVersion = version } else { integerVersion = nil }
        if client.inFlightSeq != nil {
            session.sendError(ClientMessageError(.opInFlight, "the previous op is not acknowledged yet", seq: seq))
            return
        }
        if let version = integerVersion, let last = client.lastStoredVersion, version <= last {
            session.sendError(ClientMessageError(
                .opInFlight, "v must be above \(last), the version of the previous op", seq: seq))
            return
        }
        // 4. seq going backwards to one that is not stored.
        if seq <= client.highestSeq {
            session.sendError(ClientMessageError(
                .badMessage, "seq \(seq) is below the highest stored, \(client.highestSeq)", seq: seq))
            return
        }
        // 5. A version the server does not have.
        if let version = integerVersion, version > durableVersion {
            session.sendError(ClientMessageError(
                .versionAhead, "v \(version) is ahead of the server's \(durableVersion)", seq: seq))
            session.close(code: .versionAhead, reason: "version ahead")
            return
        }
        // 6. A valid op that fits the document as it was at v.
        guard let version = integerVersion, version >= 0 else {
            session.sendError(ClientMessageError(.badOp, "v must be a non-negative integer", seq: seq))
            return
        }
        guard let rawOperation = submission.operation else {
            session.sendError(ClientMessageError(.badOp, "missing op", seq: seq))
            return
        }
        let operation: TextOperation
        do {
            operation = try TextOperation(json: rawOperation)
        } catch {
            session.sendError(ClientMessageError(.badOp, Self.describe(error), seq: seq))
            return
        }
        var history: ArraySlice<OpRecord>
        switch records(from: version, to: headVersion) {
        case .found(let found):
            history = found
        case .gone:
            session.sendError(ClientMessageError(
                .versionGone, "v \(version) is older than the server can transform from", seq: seq))
            session.close(code: .versionGone, reason: "version gone")
            return
        case .notLoaded:
            // Made against a version older than the window: read the ops since then in,
            // holding what the client sends meanwhile, then take this op again.
            session.hold()
            loadHistory(from: version) { [weak self, weak session] result in
                guard let self, let session else { return }
                session.resume {
                    guard case .success = result else {
                        session.sendError(ClientMessageError(.internal, "storage failure", seq: seq))
                        return
                    }
                    self.submit(submission, from: session)
                }
            }
            return
        }
        var lengthAtVersion = text.count
        for record in history { lengthAtVersion -= record.operation.lengthChange }
        do {
            try operation.check(documentLength: lengthAtVersion)
        } catch {
            session.sendError(ClientMessageError(.badOp, Self.describe(error), seq: seq))
            return
        }
        // 7. Rate limit.
        guard session.opBucket.take(at: clock.now) else {
            session.sendError(ClientMessageError(.rateLimited, "over the op rate limit", seq: seq))
            session.recordRateLimitStrike()
            return
        }
        // 8. Transform over every op since v, one by one; the committed op wins ties.
        var transformed = operation
        for record in history {
            transformed = TextOperation.transform(record.operation, transformed).1
        }
        // The slice shares `recent`'s buffer: released now, `recent.append` below does not
        // copy the whole window (it would otherwise live to the end of the scope).
        history = []
        let deletedTexts: [String]
        do {
            deletedTexts = try text.deletedTexts(of: transformed)
        } catch {
            // Cannot happen: transformation keeps the op fitting the head text.
            session.sendError(ClientMessageError(.internal, "transformed op does not fit", seq: seq))
            return
        }
        var resultBytes = text.utf8Count
        for component in transformed.components {
            if case .insert(let inserted) = component { resultBytes += inserted.utf8.count }
        }
        for deleted in deletedTexts { resultBytes -= deleted.utf8.count }
        guard resultBytes <= configuration.maxDocumentBytes else {
            session.sendError(ClientMessageError(
                .tooLarge, "the document would exceed \(configuration.maxDocumentBytes) bytes", seq: seq))
            return
        }
        do {
            try text.apply(transformed)
        } catch {
            session.sendError(ClientMessageError(.internal, "transformed op does not fit", seq: seq))
            return
        }
        let record = OpRecord(version: headVersion, operation: transformed, clientId: session.clientId, seq: seq,
                              user: session.sub, timestamp: clock.unixTimeMilliseconds, deletedTexts: deletedTexts)
        recent.append(record)
        submissions[record.version] = .client(base: version, operation: operation)
        headVersion += 1
        client.inFlightSeq = seq
        client.highestSeq = seq
        client.lastStoredVersion = record.version
        clients[session.clientId] = client
        startAppendIfIdle()
    }

    /// Where the stored op (`clientId`, `seq`) is known from.
    enum SeqLookup {
        case stored(version: Int)
        case notStored
        /// Not in the window: the store knows.
        case notLoaded
    }

    /// The version of the stored op (`clientId`, `seq`): from the recent window, else from the
    /// store's answer to the last lookup (taken once).
    func storedVersion(ofSeq seq: Int, clientId: String) -> SeqLookup {
        for record in recent[..<(durableVersion - recentBase)].reversed()
        where record.clientId == clientId && record.seq == seq {
            return .stored(version: record.version)
        }
        if let lookup = seqLookups.removeValue(forKey: clientId), lookup.seq == seq {
            return lookup.version.map { .stored(version: $0) } ?? .notStored
        }
        return recentBase == 0 ? .notStored : .notLoaded
    }

    static func describe(_ error: TextOperationError) -> String {
        switch error {
        case .notAnArray: "op must be an array"
        case .invalidComponent(let index): "component \(index) is not a count, an insert or {\"d\": n}"
        case .nonPositiveCount(let index): "component \(index) has a zero or negative count"
        case .nonIntegerCount(let index): "component \(index) has a non-integer count"
        case .emptyInsert(let index): "component \(index) inserts the empty string"
        case .loneSurrogate(let index): "component \(index) inserts a lone surrogate"
        case .noEffect: "op has no effect"
        case .skipPastEnd(let end, let length): "skip past end of document (\(end) > \(length))"
        case .deletePastEnd(let end, let length): "delete past end of document (\(end) > \(length))"
        case .deletedTextMismatch: "deleted text mismatch"
        }
    }

    // MARK: - Commit

    /// Hands every applied op not yet handed over to the store as one batch, unless
    /// `maxOutstandingAppends` batches are already outstanding (then the ops wait for the
    /// next completion and go together).
    ///
    /// Several batches may be outstanding: the store completes appends in submission
    /// order (the group-commit writer runs requests FIFO on one thread and hops back with
    /// the loop's FIFO `execute`), so an op applied during a commit joins the next commit
    /// instead of waiting for this one to finish first.
    func startAppendIfIdle() {
        guard appendingBatches.count < max(configuration.maxOutstandingAppends, 1), failure == nil, !isBackingOff, !isCatchingUp,
              headVersion > submittedVersion else { return }
        let first = submittedVersion
        let batch = Array(recent[(first - recentBase)...])
        appendingBatches.append(batch.count)
        submittedVersion = headVersion
        let epoch = appendEpoch
        store.append(batch, to: documentId) { [weak self] result in
            guard let self, epoch == self.appendEpoch else { return }
            self.appendCompleted(result, firstVersion: first)
        }
    }

    /// The oldest outstanding append is durable (or failed): ack, broadcast, move presence on.
    ///
    /// A failure stops the room once; the batches after it are then never made visible
    /// (the store refuses them anyway: versions must follow on without a gap).
    func appendCompleted(_ result: Result<Void, RoomStoreError>, firstVersion: Int) {
        guard failure == nil, !appendingBatches.isEmpty else { return }
        // A failure stops the room whatever its place: a writer refusing work after `close()`
        // completes on the submitting thread, so its hop may overtake earlier completions.
        if case .failure(let error) = result {
            if error.isVersionConflict && consecutiveCatchUps < configuration.maxConsecutiveCatchUps {
                catchUp(after: error)
            } else {
                fail(error)
            }
            return
        }
        consecutiveCatchUps = 0
        // Successes come in submission order (see `startAppendIfIdle`).
        assert(firstVersion == durableVersion, "append of \(firstVersion) completed while durable is \(durableVersion)")
        guard firstVersion == durableVersion else {
            fail(RoomStoreError("append of version \(firstVersion) completed out of order (durable \(durableVersion))"))
            return
        }
        let count = appendingBatches.removeFirst()
        let start = durableVersion - recentBase
        let batch = recent[start..<(start + count)]
        for record in batch { submissions[record.version] = nil }
        durableVersion += count
        for record in batch {
            if var client = clients[record.clientId], client.inFlightSeq == record.seq {
                client.inFlightSeq = nil
                clients[record.clientId] = client
            }
        }
        for session in sessions {
            guard var selection = session.selection else { continue }
            for record in batch { selection = record.operation.transform(selection: selection) }
            session.selection = selection
        }
        transformRemoteSelections(over: batch)
        deliver(batch)
        completeRestores()
        saveSnapshotIfDue()
        trimRecent()
        // Versions another node committed after ours: taken in before appending again, which
        // would otherwise meet them as a conflict.
        if !noticed.isEmpty || noticedHead > durableVersion {
            noticed = noticed.filter { $0.key >= durableVersion }
            if !takeInNoticed() { awaitNoticeGap() }
        }
        startAppendIfIdle()
        runDurableWaiters()
    }

    /// Sends a durable batch: to a client that authored none of it, one message shared
    /// by all such clients; to an author, the records before its op, its `ack`, then the
    /// records after (never its own op back).
    func deliver(_ batch: ArraySlice<OpRecord>) {
        var shared: SharedBytes?
        let recipients = sessions
        for session in recipients where session.isJoined {
            guard batch.contains(where: { $0.clientId == session.clientId }) else {
                let frame = shared ?? message(for: batch).frame
                shared = frame
                session.send(frame)
                continue
            }
            var runStart = batch.startIndex
            for index in batch.indices where batch[index].clientId == session.clientId {
                if runStart < index { session.send(message(for: batch[runStart..<index])) }
                session.send(.ack(seq: batch[index].seq, version: batch[index].version))
                runStart = index + 1
            }
            if runStart < batch.endIndex { session.send(message(for: batch[runStart...])) }
        }
        closeSlowConsumers(recipients)
    }

    /// Hands the store a snapshot each time the durable version passes a multiple of `snapshotInterval`.
    func saveSnapshotIfDue() {
        let interval = max(configuration.snapshotInterval, 1)
        guard durableVersion / interval > lastSnapshotVersion / interval else { return }
        do {
            let snapshot = try durableText()
            store.saveSnapshot(of: documentId, version: durableVersion, text: snapshot)
            lastSnapshotVersion = durableVersion
        } catch {
            fail(RoomStoreError("pending ops do not invert: \(error)"))
        }
    }

    /// Drops durable ops beyond the window, in chunks so the array is not shifted per op.
    func trimRecent() {
        let window = max(configuration.recentOpsWindow, 1)
        guard recent.count > window + window / 4 else { return }
        let removable = min(recent.count - window, durableVersion - recentBase)
        guard removable > 0 else { return }
        recent.removeFirst(removable)
        recentBase += removable
    }
}
