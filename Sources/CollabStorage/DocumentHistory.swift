import CollabOT

/// The text of a document as it was at any version or time, rebuilt from the op log.
///
/// The text at version `n` is the nearest intact snapshot at or before `n` plus a replay of
/// the ops after it, applied to a `Rope`. Used by `collab export` and the HTTP
/// `GET /v1/docs/{id}?version=N`.
public struct DocumentHistory {
    /// The store read from.
    public let store: any OpStore
    /// The document.
    public let doc: String
    /// How many ops are read from the store at a time while replaying.
    public var pageSize = 2_000

    /// History of `doc` in `store`.
    public init(store: any OpStore, doc: String) {
        self.store = store
        self.doc = doc
    }

    /// The document's current version; throws `.unknownDocument` if it has no op.
    public func currentVersion() throws(DocumentHistoryError) -> Int {
        let version = try storage { () throws(StorageError) in try store.currentVersion(doc: doc) }
        guard version > 0 else { throw .unknownDocument(doc) }
        return version
    }

    /// The text after the first `version` ops (version 0 is the empty text).
    ///
    /// A snapshot whose checksum does not match its text is passed over for an earlier one.
    public func text(atVersion version: Int) throws(DocumentHistoryError) -> Rope {
        let current = try currentVersion()
        guard version >= 0, version <= current else {
            throw .versionNotFound(doc: doc, requested: version, current: current)
        }
        let horizon = try storage { () throws(StorageError) in try store.horizon(doc: doc) }
        guard version >= horizon else { throw .versionGone(doc: doc, requested: version, horizon: horizon) }
        var start: Snapshot?
        var below = version
        while let snapshot = try storage({ () throws(StorageError) in
            try store.latestSnapshot(doc: doc, atOrBefore: below)
        }) {
            if snapshot.isIntact {
                start = snapshot
                break
            }
            below = snapshot.version - 1
            if below < 0 { break }
        }
        var rope = start.map { Rope($0.text) } ?? Rope()
        try replay(from: start?.version ?? 0, to: version) { (record, operation) throws(DocumentHistoryError) in
            do throws(TextOperationError) {
                try rope.apply(operation)
            } catch {
                throw .opDoesNotApply(doc: doc, version: record.version, error)
            }
        }
        return rope
    }

    /// The text at a named version: as `text(atVersion:)`, and below the compaction horizon
    /// from the snapshot compaction kept for the name.
    public func text(atNamedVersion version: Int) throws(DocumentHistoryError) -> Rope {
        let horizon = try storage { () throws(StorageError) in try store.horizon(doc: doc) }
        guard version < horizon else { return try text(atVersion: version) }
        guard let kept = try storage({ () throws(StorageError) in try store.latestSnapshot(doc: doc, atOrBefore: version) }),
              kept.version == version, kept.isIntact else {
            throw .versionGone(doc: doc, requested: version, horizon: horizon)
        }
        return Rope(kept.text)
    }

    /// The version the document had at `ts` (milliseconds since the epoch): one past its last
    /// op committed at or before then, 0 if it did not exist yet.
    public func version(atOrBefore ts: Int64) throws(DocumentHistoryError) -> Int {
        try storage { () throws(StorageError) in try store.version(doc: doc, atOrBefore: ts) }
    }

    /// Calls `body` with each op from version `from` up to (not including) `end`, in order,
    /// decoded; throws `.missingVersion` on a gap and `.undecodableOp` on an op that is not one.
    public func replay(from: Int, to end: Int,
                       _ body: (OpRecord, TextOperation) throws(DocumentHistoryError) -> Void)
        throws(DocumentHistoryError) {
        var next = from
        while next < end {
            let limit = min(pageSize, end - next)
            let records = try storage { () throws(StorageError) in
                try store.ops(doc: doc, from: next, limit: limit)
            }
            guard !records.isEmpty else { throw .missingVersion(doc: doc, expected: next, found: nil) }
            for record in records {
                guard record.version == next else {
                    throw .missingVersion(doc: doc, expected: next, found: record.version)
                }
                try body(record, try record.operation())
                next += 1
                if next == end { break }
            }
        }
    }

    private func storage<T>(_ body: () throws(StorageError) -> T) throws(DocumentHistoryError) -> T {
        do {
            return try body()
        } catch {
            throw .storage(error)
        }
    }
}
