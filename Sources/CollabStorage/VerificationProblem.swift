/// One way a document's stored state disagrees with its op log (see `StoreVerifier`).
public enum VerificationProblem: Equatable, Sendable, CustomStringConvertible {
    /// The op log skips a version (`found` nil: the log ends before the `documents` row says).
    case missingVersion(expected: Int, found: Int?)
    /// A stored op is not a valid op; the replay stops there.
    case undecodableOp(version: Int, reason: String)
    /// A stored op does not fit the replayed text; the replay stops there.
    case opDoesNotApply(version: Int, reason: String)
    /// The length stored with an op is not the replayed text's.
    case opLengthMismatch(version: Int, stored: Int, replayed: Int)
    /// The deleted texts stored with an op are not what its deletes removed (undo would be wrong).
    case deletedTextMismatch(version: Int)
    /// A snapshot's stored checksum does not match its own text.
    case snapshotChecksumMismatch(version: Int, stored: String, computed: String)
    /// A snapshot's text is not the replayed text at its version.
    case snapshotTextMismatch(version: Int, snapshot: String, replayed: String)
    /// A snapshot is at a version the op log never reaches.
    case snapshotBeyondHistory(version: Int, lastVersion: Int)
    /// The document has ops but no `documents` row.
    case documentRowMissing
    /// The `documents` row has no ops behind it.
    case documentRowWithoutOps
    /// A field of the `documents` row is not what the op log says.
    case documentRowMismatch(field: String, stored: String, replayed: String)
    /// A client id has ops but no `clients` row (exactly-once would accept its seqs again).
    case clientRowMissing(clientId: String)
    /// The `clients` row of a client id that has no ops in the document.
    case clientRowWithoutOps(clientId: String)
    /// `clients.user` is not the user of the client's lowest-seq op (its owner).
    case clientUserMismatch(clientId: String, stored: String, replayed: String)
    /// `clients.first_version` is not the version of the client's first op.
    case clientFirstVersionMismatch(clientId: String, stored: Int, replayed: Int)
    /// `clients.highest_seq` is not the client's highest seq in the op log.
    case clientHighestSeqMismatch(clientId: String, stored: Int, replayed: Int)
    /// `clients.highest_version` is not the version of the op with the client's highest seq.
    case clientHighestVersionMismatch(clientId: String, stored: Int, replayed: Int)
    /// A client's op has a seq not above that of its previous op: exactly-once lookups, which
    /// walk back from `highest_version` assuming seqs grow with versions, can miss or misfind.
    case clientSeqNotIncreasing(clientId: String, version: Int, seq: Int, previousVersion: Int, previousSeq: Int)

    public var description: String {
        switch self {
        case .missingVersion(let expected, let found?):
            "gap in versions: expected \(expected), found \(found)"
        case .missingVersion(let expected, nil):
            "gap in versions: the op log ends before version \(expected)"
        case .undecodableOp(let version, let reason):
            "op \(version) cannot be decoded: \(reason)"
        case .opDoesNotApply(let version, let reason):
            "op \(version) does not fit the replayed text: \(reason)"
        case .opLengthMismatch(let version, let stored, let replayed):
            "op \(version) stores length \(stored); the replay gives \(replayed)"
        case .deletedTextMismatch(let version):
            "op \(version): the stored deleted text is not what its deletes removed"
        case .snapshotChecksumMismatch(let version, let stored, let computed):
            "snapshot \(version): stored checksum \(stored) does not match its text (\(computed))"
        case .snapshotTextMismatch(let version, let snapshot, let replayed):
            "snapshot \(version) differs from the replay (snapshot \(snapshot), replay \(replayed))"
        case .snapshotBeyondHistory(let version, let lastVersion):
            "snapshot \(version) is past the last version (\(lastVersion))"
        case .documentRowMissing:
            "the documents table has no row for it"
        case .documentRowWithoutOps:
            "the documents table lists it but it has no ops"
        case .documentRowMismatch(let field, let stored, let replayed):
            "documents.\(field) is \(stored); the op log gives \(replayed)"
        case .clientRowMissing(let clientId):
            "the clients table has no row for client \(clientId)"
        case .clientRowWithoutOps(let clientId):
            "the clients table has a row for client \(clientId), which has no ops"
        case .clientUserMismatch(let clientId, let stored, let replayed):
            "clients.user of client \(clientId) is \(stored); the op log gives \(replayed)"
        case .clientFirstVersionMismatch(let clientId, let stored, let replayed):
            "clients.first_version of client \(clientId) is \(stored); the op log gives \(replayed)"
        case .clientHighestSeqMismatch(let clientId, let stored, let replayed):
            "clients.highest_seq of client \(clientId) is \(stored); the op log gives \(replayed)"
        case .clientHighestVersionMismatch(let clientId, let stored, let replayed):
            "clients.highest_version of client \(clientId) is \(stored); the op log gives \(replayed)"
        case .clientSeqNotIncreasing(let clientId, let version, let seq, let previousVersion, let previousSeq):
            "op \(version): seq \(seq) of client \(clientId) is not above its seq \(previousSeq) "
                + "at op \(previousVersion)"
        }
    }
}
