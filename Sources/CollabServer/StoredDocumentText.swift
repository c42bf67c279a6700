import CollabOT
import CollabStorage

/// The text of a document at a version, rebuilt from the op log: the nearest intact
/// snapshot at or before it plus a replay of the ops after it.
///
/// A stand-in until the storage library's `DocumentHistory` lands on main.
enum StoredDocumentText {
    /// The text of `documentId` after its first `version` ops, read from `store`.
    static func text(of documentId: String, atVersion version: Int, in store: SQLiteOpStore) throws(StorageError) -> String {
        var snapshot = try store.latestSnapshot(doc: documentId, atOrBefore: version)
        while let candidate = snapshot, !candidate.isIntact {
            snapshot = candidate.version > 0 ? try store.latestSnapshot(doc: documentId, atOrBefore: candidate.version - 1) : nil
        }
        var rope = Rope(snapshot?.text ?? "")
        var next = snapshot?.version ?? 0
        while next < version {
            let rows = try store.ops(doc: documentId, from: next, limit: min(2_000, version - next))
            guard let first = rows.first, first.version == next else { throw corrupt("op \(next) of \(documentId) is missing") }
            for row in rows {
                guard row.version == next, let operation = OpRecord.storedOperation(json: Array(row.opJSON.utf8)) else {
                    throw corrupt("op \(next) of \(documentId) is missing or does not decode")
                }
                do {
                    try rope.apply(operation)
                } catch {
                    throw corrupt("op \(next) of \(documentId) does not apply: \(error)")
                }
                next += 1
            }
        }
        return String(rope)
    }

    private static func corrupt(_ message: String) -> StorageError {
        .sqlite(SQLiteError(extendedCode: .corrupt, message: message))
    }
}
