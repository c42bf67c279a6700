/// The narrow interface the server needs from an op log (like ShareDB's db adapter).
///
/// Versions are gap-free per document: the op stored as `v` takes it from `v` to `v + 1`, and a
/// document nobody has written is empty at version 0.
public protocol OpStore {
    /// Stores `records` atomically: all of them or none. Each document's records must continue
    /// its versions in order, and each client's seqs must grow: a seq at or below the client's
    /// highest stored one (a resubmission) fails with `.duplicate`.
    func append(_ records: [OpRecord]) throws(StorageError)

    /// Stores a snapshot; one already stored at the same (doc, version) is kept.
    func saveSnapshot(_ snapshot: Snapshot) throws(StorageError)

    /// Up to `limit` ops of `doc` in version order, starting at version `from`.
    func ops(doc: String, from version: Int, limit: Int) throws(StorageError) -> [OpRecord]

    /// The op a client stored with `seq`, if any (exactly-once across restarts).
    func op(doc: String, clientId: String, seq: Int) throws(StorageError) -> OpRecord?

    /// What is stored about a client id on a document, if it has stored an op.
    func client(doc: String, clientId: String) throws(StorageError) -> ClientRecord?

    /// The latest snapshot at or before `version` (nil: the latest of all), if any.
    func latestSnapshot(doc: String, atOrBefore version: Int?) throws(StorageError) -> Snapshot?

    /// The document's summary, or nil if it has no op.
    func documentInfo(doc: String) throws(StorageError) -> DocumentInfo?

    /// Every document's summary, by id.
    func listDocuments() throws(StorageError) -> [DocumentInfo]

    /// The document's version (0 if it has no op).
    func currentVersion(doc: String) throws(StorageError) -> Int

    /// The document's compaction horizon: ops below it are gone (0 if never compacted).
    func horizon(doc: String) throws(StorageError) -> Int

    /// The document's version just after its last op committed at or before `ts`.
    func version(doc: String, atOrBefore ts: Int64) throws(StorageError) -> Int
}
