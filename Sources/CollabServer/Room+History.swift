import CollabOT

extension Room {
    // MARK: - Restore

    /// Appends one op that turns the head text into `target`: the minimal diff (unchanged spans
    /// kept, so cursors and concurrent typing survive), authored by `user` under a client id
    /// of its own. Editors see it as any other op; `completion` runs on the loop once it is
    /// durable. History is never rewritten.
    func restore(to target: String, user: String, completion: @escaping (RestoreOutcome) -> Void) {
        if let failure {
            completion(.failed(failure.description))
            return
        }
        let operation = TextDiff.operation(from: text.string, to: target)
        guard !operation.isNoop else {
            completion(.unchanged(version: headVersion))
            return
        }
        let deletedTexts: [String]
        do {
            deletedTexts = try text.deletedTexts(of: operation)
            try text.apply(operation)
        } catch {
            completion(.failed("the restoring op does not fit: \(error)"))
            return
        }
        // A fresh client id per restore: its seq is always 1 and it owns nothing else.
        let clientId = "restore-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let record = OpRecord(version: headVersion, operation: operation, clientId: clientId, seq: 1, user: user,
                              timestamp: clock.unixTimeMilliseconds, deletedTexts: deletedTexts)
        recent.append(record)
        submissions[record.version] = .restore(target: target)
        headVersion += 1
        pendingRestores.append((record.version, completion))
        startAppendIfIdle()
    }

    /// Answers the restores whose op became durable.
    func completeRestores() {
        while let first = pendingRestores.first, first.version < durableVersion {
            pendingRestores.removeFirst()
            first.completion(.stored(version: first.version))
        }
    }

    // MARK: - Deletion and compaction

    /// Closes every connection with 4404 (the document is being deleted), without `leave`.
    func closeForDeletion() {
        for session in sessions {
            session.close(code: .documentDeleted, reason: "document deleted", announce: false)
        }
    }

    /// From now on, catch-ups and transforms from below `version` are refused (snapshot on
    /// join, `version_gone` for an op), as for a room loaded after the compaction.
    func raiseHorizon(to version: Int) {
        horizon = max(horizon, version)
    }
}
