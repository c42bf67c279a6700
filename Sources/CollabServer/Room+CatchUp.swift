import CollabOT

extension Room {
    /// Catch-ups in a row before the room gives up (fails with 1011; clients resubmit).
    static let maxConsecutiveCatchUps = 8

    /// Another writer stored versions this room had not seen (an operator's `import --force`
    /// on the database, another node): fetch them, apply them, transform every op of ours not
    /// yet durable over them (theirs were committed first, so they win ties) and append ours
    /// again on top. Everyone receives the other writer's ops as ordinary `op`s; our authors
    /// get their acks, with the new versions, once the re-appended ops are durable.
    func catchUp(after conflict: RoomStoreError) {
        consecutiveCatchUps += 1
        // Completions of the appends made before now belong to the failed chain.
        appendEpoch += 1
        appendingBatches = []
        let ours = Array(recent[(durableVersion - recentBase)...])
        let theirs: [OpRecord]
        var rebuilt: DocumentText
        do {
            theirs = try store.catchUp(documentId, from: durableVersion)
            rebuilt = DocumentText(try durableText())
        } catch {
            fail(RoomStoreError("catching up after \(conflict.message) failed: \(error)"))
            return
        }
        guard !theirs.isEmpty, theirs.enumerated().allSatisfy({ $0.element.version == durableVersion + $0.offset }) else {
            fail(RoomStoreError("\(conflict.message), and the stored ops do not continue version \(durableVersion)"))
            return
        }
        do {
            for record in theirs { try rebuilt.apply(record.operation) }
        } catch {
            fail(RoomStoreError("an op stored by another writer does not apply: \(error)"))
            return
        }
        // Ours, one by one, over theirs (which move past each of ours in turn).
        var others = theirs.map(\.operation)
        var rebased: [OpRecord] = []
        var next = durableVersion + theirs.count
        var renumbered: [Int: Int] = [:]
        do {
            for record in ours {
                var operation = record.operation
                for index in others.indices {
                    let (other, mine) = TextOperation.transform(others[index], operation)
                    others[index] = other
                    operation = mine
                }
                let deleted = try rebuilt.deletedTexts(of: operation)
                try rebuilt.apply(operation)
                rebased.append(OpRecord(version: next, operation: operation, clientId: record.clientId, seq: record.seq,
                                        user: record.user, timestamp: record.timestamp, deletedTexts: deleted))
                renumbered[record.version] = next
                next += 1
            }
        } catch {
            fail(RoomStoreError("re-transforming after a conflict failed: \(error)"))
            return
        }
        // The new state: theirs durable, ours pending on top; nothing outstanding.
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
        deliver(theirs[...])
        startAppendIfIdle()
    }
}
