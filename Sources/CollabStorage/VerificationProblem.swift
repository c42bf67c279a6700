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
        }
    }
}
