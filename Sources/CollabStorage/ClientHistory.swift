/// One client id's ops on one document as `StoreVerifier` meets them, in version order: the
/// `clients` row they imply, and what is needed to check that the client's seq keeps growing.
struct ClientHistory {
    /// The `clients` row the ops seen so far imply.
    private(set) var implied: ClientRecord
    /// The lowest seq seen: the user of its op owns the client id (on a tie, the earliest op).
    private var lowestSeq: Int
    /// The seq and version of the latest op seen.
    private var latestSeq: Int
    private var latestVersion: Int

    /// The history of a client id from its first op.
    init(first record: OpRecord) {
        implied = ClientRecord(clientId: record.clientId, user: record.user, firstVersion: record.version,
                               highestSeq: record.seq, highestVersion: record.version)
        lowestSeq = record.seq
        latestSeq = record.seq
        latestVersion = record.version
    }

    /// Adds the client's next op, at a later version; a seq not above the previous op's is a problem.
    mutating func add(_ record: OpRecord) -> VerificationProblem? {
        if record.seq < lowestSeq {
            lowestSeq = record.seq
            implied.user = record.user
        }
        if record.seq > implied.highestSeq {
            implied.highestSeq = record.seq
            implied.highestVersion = record.version
        }
        defer {
            latestSeq = record.seq
            latestVersion = record.version
        }
        guard record.seq > latestSeq else {
            return .clientSeqNotIncreasing(clientId: record.clientId, version: record.version, seq: record.seq,
                                           previousVersion: latestVersion, previousSeq: latestSeq)
        }
        return nil
    }

    /// How `stored`, the client's `clients` row, differs from the implied row, in column order.
    func mismatches(with stored: ClientRecord) -> [VerificationProblem] {
        let clientId = implied.clientId
        var problems: [VerificationProblem] = []
        if stored.user != implied.user {
            problems.append(.clientUserMismatch(clientId: clientId, stored: stored.user, replayed: implied.user))
        }
        if stored.firstVersion != implied.firstVersion {
            problems.append(.clientFirstVersionMismatch(clientId: clientId, stored: stored.firstVersion,
                                                        replayed: implied.firstVersion))
        }
        if stored.highestSeq != implied.highestSeq {
            problems.append(.clientHighestSeqMismatch(clientId: clientId, stored: stored.highestSeq,
                                                      replayed: implied.highestSeq))
        }
        if stored.highestVersion != implied.highestVersion {
            problems.append(.clientHighestVersionMismatch(clientId: clientId, stored: stored.highestVersion,
                                                          replayed: implied.highestVersion))
        }
        return problems
    }
}
