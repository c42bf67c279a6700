import CollabOT
import CollabStorage

extension Room {
    /// Another writer stored versions this room had not seen (an operator's `import --force`
    /// on the database, another node): fetch them, apply them, transform every op of ours not
    /// yet durable over them (theirs were committed first, so they win ties) and append ours
    /// again on top. Everyone receives the other writer's ops as ordinary `op`s; our authors
    /// get their acks, with the new versions, once the re-appended ops are durable.
    func catchUp(after conflict: RoomStoreError) {
        consecutiveCatchUps += 1
        onCatchUp?(true)
        // Completions of the appends made before now belong to the failed chain.
        appendEpoch += 1
        appendingBatches = []
        submittedVersion = durableVersion
        guard consecutiveCatchUps > 1 else {
            fetchAndAbsorb(expectingSome: true, why: conflict.message)
            return
        }
        // Lost again: another writer keeps committing this document just ahead of us (another
        // node's editors). Wait a random while, growing with the streak (up to 64 ms), before
        // reading and retrying, so the two stop starting their races in step.
        isBackingOff = true
        let ceiling = 1 << min(consecutiveCatchUps, 6)
        let delay = Duration.microseconds(Int64.random(in: 0...Int64(ceiling * 1_000)))
        _ = clock.schedule(after: delay) { [weak self] in
            guard let self else { return }
            self.isBackingOff = false
            guard self.failure == nil else { return }
            self.fetchAndAbsorb(expectingSome: false, why: conflict.message)
        }
    }

    /// Looks at the version the store holds (every `RoomConfiguration.headPollInterval` while
    /// editors are connected, and whenever someone saw a version this room has not): another
    /// writer's ops are taken in and sent on, so editors here see them without typing. Skipped
    /// while appends are outstanding: their completion, or their conflict, settles the question
    /// first.
    /// `knownStored`: the stored version if the caller already knows it (a batched poll off the
    /// loop, another node's notice, a join's read), saving the read.
    func pollStoredHead(knownStored: Int? = nil) {
        guard canPollStoredHead else { return }
        guard let stored = knownStored else {
            store.storedVersion(of: documentId) { [weak self] result in
                // A failed read is retried at the next poll.
                guard let self, case .success(let stored) = result else { return }
                self.pollStoredHead(knownStored: stored)
            }
            return
        }
        guard stored > durableVersion else { return }
        onCatchUp?(false)
        appendEpoch += 1
        fetchAndAbsorb(expectingSome: true, why: "the stored version is \(stored)")
    }

    /// Takes in ops another node stored and published with its commit notice, without reading
    /// them: those at or above the durable version, if they continue it. False if they do not
    /// (a gap: an earlier notice was lost) or do not decode; the caller then reads.
    func takeInStored(_ rows: [CollabStorage.OpRecord]) -> Bool {
        guard canPollStoredHead else { return false }
        let fresh = rows.filter { $0.version >= durableVersion }
        guard let first = fresh.first, first.version == durableVersion, oldestBaseOfOurs >= recentBase,
              let records = try? RoomStorage.records(fresh) else { return false }
        onCatchUp?(false)
        appendEpoch += 1
        store.tookIn(documentId, lengthAfter: fresh[fresh.count - 1].length)
        guard absorbStoredOps(expectingSome: true, why: "another node's commit notice", fetched: records) else {
            return true
        }
        startAppendIfIdle()
        return true
    }

    /// Whether a poll would look now: not while appends are outstanding (their completion, or
    /// their conflict, settles it), nor while backing off or catching up.
    var canPollStoredHead: Bool {
        failure == nil && appendingBatches.isEmpty && !isBackingOff && !isCatchingUp
    }

    /// The oldest version an op of ours not yet durable was made against (`durableVersion` if
    /// none): a catch-up transforms ours again from there.
    var oldestBaseOfOurs: Int {
        recent[(durableVersion - recentBase)...].compactMap { record -> Int? in
            if case .client(let base, _)? = submissions[record.version] { return base }
            return nil
        }.reduce(durableVersion, min)
    }

    /// Reads the ops stored from `durableVersion` on (off the loop where the store is remote;
    /// no append or poll starts meanwhile), absorbs them and appends ours again. Reads from
    /// further back if ours were made against versions older than the window.
    private func fetchAndAbsorb(expectingSome: Bool, why: String) {
        isCatchingUp = true
        let base = durableVersion
        let oldest = oldestBaseOfOurs
        let from = oldest < recentBase ? max(oldest, horizon) : base
        store.catchUp(documentId, from: from) { [weak self] result in
            guard let self else { return }
            self.isCatchingUp = false
            guard self.failure == nil else { return }
            switch result {
            case .failure(let error):
                self.fail(RoomStoreError("catching up (\(why)) failed: \(error)"))
            case .success(let read):
                // Nothing moves the durable version while a catch-up is under way.
                guard self.durableVersion == base else {
                    self.fail(RoomStoreError("catching up (\(why)): the durable version moved during the read"))
                    return
                }
                // What was read below the window joins it; the rest is theirs.
                let older = read.prefix { $0.version < self.recentBase }
                if let first = older.first, first.version == from, older.count == self.recentBase - from {
                    self.recent = Array(older) + self.recent
                    self.recentBase = from
                }
                let theirs = Array(read.drop { $0.version < base })
                guard self.absorbStoredOps(expectingSome: expectingSome, why: why, fetched: theirs) else { return }
                self.startAppendIfIdle()
            }
        }
    }

    /// Applies `theirs` (the ops stored from `durableVersion` on) under our pending ones
    /// (rebased over them) and delivers them; false (after failing the room) if that cannot
    /// be done.
    private func absorbStoredOps(expectingSome: Bool, why: String, fetched theirs: [OpRecord]) -> Bool {
        let ours = Array(recent[(durableVersion - recentBase)...])
        var rebuilt: DocumentText
        do {
            rebuilt = DocumentText(try durableText())
        } catch {
            fail(RoomStoreError("catching up (\(why)) failed: \(error)"))
            return false
        }
        guard !expectingSome || !theirs.isEmpty,
              theirs.enumerated().allSatisfy({ $0.element.version == durableVersion + $0.offset }) else {
            fail(RoomStoreError("\(why), and the stored ops do not continue version \(durableVersion)"))
            return false
        }
        do {
            for record in theirs { try rebuilt.apply(record.operation) }
        } catch {
            fail(RoomStoreError("an op stored by another writer does not apply: \(error)"))
            return false
        }
        // Ours, each transformed again from the op its author sent, over every record from the
        // version it was made against, in the new stored order: what its author will compute.
        guard case .found(let storedBefore) = records(from: min(oldestBaseOfOurs, durableVersion), to: durableVersion) else {
            fail(RoomStoreError("catching up: the history ours were made against is gone"))
            return false
        }
        let historyStart = storedBefore.first?.version ?? durableVersion
        var history = Array(storedBefore) + theirs
        var rebased: [OpRecord] = []
        var resubmitted: [Int: Submission] = [:]
        var renumbered: [Int: Int] = [:]
        do {
            for record in ours {
                let operation: TextOperation
                switch submissions[record.version] {
                case .client(let base, let sent)? where base >= historyStart:
                    var transformed = sent
                    for earlier in history[(base - historyStart)...] {
                        transformed = TextOperation.transform(earlier.operation, transformed).1
                    }
                    operation = transformed
                case .restore(let target)?:
                    operation = TextDiff.operation(from: rebuilt.string, to: target)
                default:
                    fail(RoomStoreError("catching up: op \(record.version) has no submitted form"))
                    return false
                }
                let deleted = try rebuilt.deletedTexts(of: operation)
                try rebuilt.apply(operation)
                let moved = OpRecord(version: historyStart + history.count, operation: operation, clientId: record.clientId,
                                     seq: record.seq, user: record.user, timestamp: record.timestamp, deletedTexts: deleted)
                rebased.append(moved)
                history.append(moved)
                resubmitted[moved.version] = submissions[record.version]
                renumbered[record.version] = moved.version
            }
        } catch {
            fail(RoomStoreError("re-transforming over another writer's ops failed: \(error)"))
            return false
        }
        submissions = resubmitted
        // The new state: theirs durable, ours pending on top, none of it handed to the store.
        recent = Array(recent[..<(durableVersion - recentBase)]) + theirs + rebased
        text = rebuilt
        durableVersion += theirs.count
        headVersion = recentBase + recent.count
        submittedVersion = durableVersion
        for record in rebased {
            guard var client = clients[record.clientId], client.inFlightSeq == record.seq else { continue }
            client.lastStoredVersion = record.version
            clients[record.clientId] = client
        }
        pendingRestores = pendingRestores.map { (renumbered[$0.version] ?? $0.version, $0.completion) }
        for session in sessions {
            guard var selection = session.selection else { continue }
            for record in theirs { selection = record.operation.transform(selection: selection) }
            session.selection = selection
        }
        transformRemoteSelections(over: theirs)
        deliver(theirs[...])
        saveSnapshotIfDue()
        trimRecent()
        runDurableWaiters()
        return true
    }
}
