/// An op log with what history and operators need beyond `OpStore`: filtered history, client
/// rows, snapshot versions, named versions, purge and compaction. Both stores implement it, so
/// the HTTP API and the operator's commands work on either.
public protocol HistoryStore: OpStore {
    /// Up to `limit` ops of `doc` in version order from version `from`, optionally only those
    /// by `user` and those committed at or after `since` (ms).
    func history(doc: String, from version: Int, limit: Int, user: String?, since: Int64?)
        throws(StorageError) -> [OpRecord]

    /// The `clients` rows of `doc`, in client id order.
    func clients(doc: String) throws(StorageError) -> [ClientRecord]

    /// The versions of the document's snapshots, ascending.
    func snapshotVersions(doc: String) throws(StorageError) -> [Int]

    /// The document's named versions, in version order (then name).
    func namedVersions(doc: String) throws(StorageError) -> [NamedVersion]

    /// The named version `name` of `doc`, if any.
    func namedVersion(doc: String, name: String) throws(StorageError) -> NamedVersion?

    /// Stores a name; a name the document already has fails with `.nameTaken`.
    func addNamedVersion(_ named: NamedVersion) throws(StorageError)

    /// Removes a name; false if the document had no such name.
    @discardableResult func removeNamedVersion(doc: String, name: String) throws(StorageError) -> Bool

    /// Deletes everything stored for `doc`; false if it had nothing.
    @discardableResult func purge(doc: String) throws(StorageError) -> Bool

    /// Folds the ops below `horizon` into a snapshot there (see `collab compact`).
    func compact(doc: String, horizon: Int, now: Int64, dryRun: Bool) throws(DocumentHistoryError) -> CompactionReport

    /// Every document id with a row in the summaries, the op log, the snapshots or the client
    /// rows, sorted byte-wise: `collab verify` checks them all, the leftovers of a broken write too.
    func documentIDs() throws(StorageError) -> [String]

    /// The document's distinct authors with the version of each one's first op, by user
    /// (byte order). A compacted document keeps those whose ops are gone.
    func authors(doc: String) throws(StorageError) -> [DocumentAuthor]

    /// Writes the document's summary row (with its compaction `horizon`) and replaces its client
    /// and author rows with `clients` and `authors`, exactly as given, in one transaction; ops,
    /// snapshots and names are left alone.
    ///
    /// For `collab copy`, which appends a document's ops in batches and then needs the rows the
    /// source kept rather than those the appends derived: a compacted document's first time,
    /// authors and clients from below its horizon are in no op that is left. Written before
    /// any op, the row makes appends continue from `info.version` (a compacted document's ops
    /// start at its horizon).
    func writeDocumentRows(_ info: DocumentInfo, horizon: Int, clients: [ClientRecord], authors: [DocumentAuthor])
        throws(StorageError)
}

extension SQLiteOpStore: HistoryStore {}
