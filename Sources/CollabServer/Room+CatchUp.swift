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
        onCatchUp?(.conflict)
        // Completions of the appends made before now belong to the failed chain.
        appendEpoch += 1
        appendingBatches = []
        submittedVersion = durableVersion
        guard consecutiveCatchUps > 1 else {
            // The winner's notice may already be here: then no read is needed.
            if !takeInNoticed() { fetchAndAbsorb(expectingSome: true, why: conflict.message) }
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
            if !self.takeInNoticed() { self.fetchAndAbsorb(expectingSome: false, why: conflict.message) }
        }
    }

    /// Looks at the version the store holds (every `RoomConfiguration.headPollInterval` while
    /// editors are connected, and whenever someone saw a version this room has not): another
    /// writer's ops are taken in and sent on, so editors here see them without typing. Skipped
    /// while appends are outstanding: their completion, or their conflict, settles the question
    /// first.
    /// `knownStored`: the stored version if the caller already knows it (a batched poll off the
    /// loop, another node's notice, a join's read), saving the read.
    /// `cause`: for the metrics.
    func pollStoredHead(knownStored: Int? = nil, cause: CatchUpCause = .storedHead) {
        guard canPollStoredHead else { return }
        guard let stored = knownStored else {
            store.storedVersion(of: documentId) { [weak self] result in
                // A failed read is retried at the next poll.
                guard let self, case .success(let stored) = result else { return }
                self.pollStoredHead(knownStored: stored, cause: cause)
            }
            return
        }
        guard stored > durableVersion else { return }
        onCatchUp?(cause)
        appendEpoch += 1
        fetchAndAbsorb(expectingSome: true, why: "the stored version is \(stored)")
    }

    /// Another node committed `rows` (its notice's records, possibly none) and the document up
    /// to `head`. They wait by version until this room can take them in, in order and without
    /// a read: now if no append is outstanding, else at the append's completion or conflict
    /// (which they then settle without a read). A gap — notices of two nodes can overtake each
    /// other, and pub/sub may lose one — is waited for briefly, then read from the store.
    func receiveCommitted(_ rows: [CollabStorage.OpRecord], head: Int) {
        guard failure == nil, head > durableVersion else { return }
        for row in rows where row.version >= durableVersion { noticed[row.version] = row }
        // A room that cannot keep up reads instead of buffering without end.
        if noticed.count > Self.maxNoticedRecords { noticed = [:] }
        noticedHead = max(noticedHead, head)
        guard canPollStoredHead else { return }
        takeInNoticed()
        awaitNoticeGap()
    }

    /// Notices kept at most before the room reads from the store instead.
    static let maxNoticedRecords = 10_000
    /// How long a gap between notices is waited for before reading it.
    static let noticeGapWait: Duration = .milliseconds(10)

    /// Takes in the noticed ops that continue the durable version (none: false). Only while no
    /// append is outstanding; ours not yet appended are rebased over them.
    @discardableResult
    func takeInNoticed() -> Bool {
        guard canPollStoredHead, noticed[durableVersion] != nil, oldestBaseOfOurs >= recentBase else { return false }
        var run: [CollabStorage.OpRecord] = []
        while let row = noticed[durableVersion + run.count] { run.append(row) }
        guard let records = try? RoomStorage.records(run) else {
            noticed = [:]
            return false
        }
        onCatchUp?(.notice)
        appendEpoch += 1
        store.tookIn(documentId, lengthAfter: run[run.count - 1].length)
        guard absorbStoredOps(expectingSome: true, why: "another node's commit notice", fetched: records) else {
            return true
        }
        startAppendIfIdle()
        return true
    }

    /// Another node stored versions this room has no notice of yet: wait `noticeGapWait` for
    /// them, then read what is still missing.
    func awaitNoticeGap() {
        guard noticedHead > durableVersion, noticeGapTimer == nil, failure == nil else { return }
        noticeGapTimer = clock.schedule(after: Self.noticeGapWait) { [weak self] in
            guard let self else { return }
            self.noticeGapTimer = nil
            guard self.noticedHead > self.durableVersion, self.canPollStoredHead else { return }
            if !self.takeInNoticed() { self.pollStoredHead(knownStored: self.noticedHead, cause: .noticeGap) }
        }
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
                _ = self.prependToWindow(read.prefix { $0.version < self.recentBase }, from: from)
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
            // The durable text as a rope (the pending ops undone on a copy): no O(n) rebuild per
            // catch-up, which another node's notices make one per commit.
            rebuilt = try text.undone(recent[(durableVersion - recentBase)...])
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
        let historyStart = min(oldestBaseOfOurs, durableVersion)
        // A copy (usually a few records): a slice of the window kept alive would make the
        // window's in-place update below copy it whole.
        var history: [OpRecord]
        switch records(from: historyStart, to: durableVersion) {
        case .found(let storedBefore):
            history = Array(storedBefore) + theirs
        case .gone, .notLoaded:
            fail(RoomStoreError("catching up: the history ours were made against is gone"))
            return false
        }
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
        // In place: the window holds up to thousands of records, and a copy per catch-up (one per
        // notice from another node) cost more than the rest of the catch-up.
        recent.removeSubrange((durableVersion - recentBase)...)
        recent.append(contentsOf: theirs)
        recent.append(contentsOf: rebased)
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
        noticed = noticed.filter { $0.key >= durableVersion }
        runDurableWaiters()
        return true
    }
}
