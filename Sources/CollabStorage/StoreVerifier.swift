import CollabOT

/// Checks a store against its own op log, for `collab verify`.
///
/// For each document: versions run gap-free from 0; every op decodes and applies to the text
/// replayed so far; the length and deleted texts stored with each op match the replay; every
/// snapshot's checksum matches its text and its text equals the replay at its version; the
/// `documents` row (version, length, author count, first and last times) matches the log; each
/// client's seq grows with its versions, and the `clients` rows are exactly those the log implies.
public struct StoreVerifier {
    /// The store checked.
    public let store: any HistoryStore
    /// How many ops are read at a time.
    public var pageSize = 2_000

    /// A verifier of `store` (SQLite or PostgreSQL).
    public init(store: any HistoryStore) {
        self.store = store
    }

    /// Every document id found in the `documents` row, the op log, the snapshots or the
    /// `clients` rows, sorted.
    public func documentIDs() throws(StorageError) -> [String] {
        try store.documentIDs()
    }

    /// Replays `doc` and reports everything that disagrees with the replay.
    public func verify(doc: String) throws(StorageError) -> DocumentVerification {
        var problems: [VerificationProblem] = []
        let row = try store.documentInfo(doc: doc)
        var pendingSnapshots = try store.snapshotVersions(doc: doc)[...]
        var snapshotsChecked = 0
        var text = Rope()
        var version = 0
        var users: Set<String> = []
        var firstTS: Int64?
        var lastTS: Int64?
        var lastStoredLength: Int?
        var clients: [String: ClientHistory] = [:]
        // A compacted document replays from its snapshot at the horizon; what lies below is gone
        // (but for snapshots kept at named versions, whose checksums are still checked).
        let horizon = try store.horizon(doc: doc)
        if horizon > 0 {
            while let next = pendingSnapshots.first, next < horizon {
                pendingSnapshots.removeFirst()
                if let snapshot = try store.latestSnapshot(doc: doc, atOrBefore: next), snapshot.version == next,
                   !snapshot.isIntact {
                    problems.append(.snapshotChecksumMismatch(version: next, stored: snapshot.checksum,
                                                              computed: Snapshot.checksum(of: snapshot.text)))
                }
            }
            if let start = try store.latestSnapshot(doc: doc, atOrBefore: horizon), start.version == horizon {
                text = Rope(start.text)
                version = horizon
            } else {
                problems.append(.missingVersion(expected: 0, found: horizon))
            }
        }

        func checkSnapshots(upTo version: Int) throws(StorageError) {
            while let next = pendingSnapshots.first, next <= version {
                pendingSnapshots.removeFirst()
                guard next == version,
                      let snapshot = try store.latestSnapshot(doc: doc, atOrBefore: next),
                      snapshot.version == next else { continue }
                snapshotsChecked += 1
                let computed = Snapshot.checksum(of: snapshot.text)
                if computed != snapshot.checksum {
                    problems.append(.snapshotChecksumMismatch(version: next, stored: snapshot.checksum,
                                                              computed: computed))
                }
                if !text.isEqual(to: snapshot.text) {
                    problems.append(.snapshotTextMismatch(version: next, snapshot: computed,
                                                          replayed: Self.checksum(of: text)))
                }
            }
        }

        replay: while true {
            let records = try store.ops(doc: doc, from: version, limit: pageSize)
            if records.isEmpty { break }
            for record in records {
                guard record.version == version else {
                    problems.append(.missingVersion(expected: version, found: record.version))
                    break replay
                }
                try checkSnapshots(upTo: version)
                let operation: TextOperation
                do {
                    operation = try record.operation()
                } catch {
                    problems.append(.undecodableOp(version: version, reason: Self.reason(error)))
                    break replay
                }
                do {
                    try operation.check(documentLength: text.count)
                } catch {
                    problems.append(.opDoesNotApply(version: version, reason: "\(error)"))
                    break replay
                }
                if record.deletedTexts() != Self.deletedTexts(of: operation, in: text) {
                    problems.append(.deletedTextMismatch(version: version))
                }
                do {
                    try text.apply(operation)
                } catch {
                    problems.append(.opDoesNotApply(version: version, reason: "\(error)"))
                    break replay
                }
                if record.length != text.count {
                    problems.append(.opLengthMismatch(version: version, stored: record.length,
                                                      replayed: text.count))
                }
                users.insert(record.user)
                firstTS = firstTS ?? record.ts
                lastTS = record.ts
                lastStoredLength = record.length
                if clients[record.clientId] == nil {
                    clients[record.clientId] = ClientHistory(first: record)
                } else if let problem = clients[record.clientId]?.add(record) ?? nil {
                    problems.append(problem)
                }
                version += 1
            }
        }
        let replayIsComplete = problems.allSatisfy { problem in
            switch problem {
            case .missingVersion, .undecodableOp, .opDoesNotApply: false
            default: true
            }
        }
        try checkSnapshots(upTo: version)
        if replayIsComplete {
            for snapshotVersion in pendingSnapshots {
                problems.append(.snapshotBeyondHistory(version: snapshotVersion, lastVersion: version))
            }
        }

        switch (row, version) {
        case (nil, 0):
            break
        case (nil, _):
            problems.append(.documentRowMissing)
        case (.some, 0) where replayIsComplete:
            problems.append(.documentRowWithoutOps)
        case (let row?, _) where replayIsComplete:
            func compare(_ field: String, _ stored: some Equatable & CustomStringConvertible,
                         _ replayed: (some Equatable & CustomStringConvertible)?) {
                guard let replayed, "\(stored)" != "\(replayed)" else { return }
                problems.append(.documentRowMismatch(field: field, stored: "\(stored)", replayed: "\(replayed)"))
            }
            if row.version > version {
                // The log ends early: the other fields describe ops that are not there.
                problems.append(.missingVersion(expected: version, found: nil))
            } else {
                compare("version", row.version, version)
                compare("length", row.length, lastStoredLength.map { _ in text.count })
                // The authors and the first op of a compacted document went with its old ops.
                if horizon == 0 {
                    compare("author_count", row.authorCount, users.count)
                    compare("created_at", row.createdAt, firstTS)
                }
                compare("updated_at", row.updatedAt, lastTS)
            }
        case (.some, _):
            break  // the replay stopped early: the row cannot be judged
        }
        // Like the documents row, the clients rows can only be judged against the whole log.
        if replayIsComplete, (row?.version ?? 0) <= version {
            problems += try clientProblems(doc: doc, histories: clients, horizon: horizon)
        }
        return DocumentVerification(doc: doc, replayedVersion: version, snapshotsChecked: snapshotsChecked,
                                    problems: problems)
    }

    /// How the `clients` rows of `doc` differ from those its ops imply, in client id order.
    /// Clients whose first op lies below a compaction `horizon` cannot be judged and are left out.
    private func clientProblems(doc: String, histories: [String: ClientHistory], horizon: Int)
        throws(StorageError) -> [VerificationProblem] {
        var stored: [String: ClientRecord] = [:]
        var histories = histories
        for client in try store.clients(doc: doc) {
            guard client.firstVersion >= horizon else {
                histories[client.clientId] = nil
                continue
            }
            stored[client.clientId] = client
        }
        var problems: [VerificationProblem] = []
        for clientId in Set(stored.keys).union(histories.keys).sorted() {
            switch (histories[clientId], stored[clientId]) {
            case (let history?, let row?):
                problems += history.mismatches(with: row)
            case (.some, nil):
                problems.append(.clientRowMissing(clientId: clientId))
            case (nil, .some):
                problems.append(.clientRowWithoutOps(clientId: clientId))
            case (nil, nil):
                break
            }
        }
        return problems
    }

    /// What `operation`'s deletes remove from `text`, in order.
    static func deletedTexts(of operation: TextOperation, in text: Rope) -> [String] {
        var texts: [String] = []
        var position = 0
        for component in operation.components {
            switch component {
            case .retain(let n):
                position += n
            case .delete(let n):
                texts.append(text.substring(scalarRange: position..<position + n))
                position += n
            case .insert:
                break
            }
        }
        return texts
    }

    /// The snapshot checksum of a rope's text, hashed chunk by chunk.
    static func checksum(of text: Rope) -> String {
        var hasher = FNV1a64()
        text.forEachChunk { hasher.update($0) }
        return Snapshot.checksum(fromHash: hasher.value)
    }

    private static func reason(_ error: DocumentHistoryError) -> String {
        if case .undecodableOp(_, _, let reason) = error { return reason }
        return error.description
    }
}
