/// Copies documents with their whole history from one store to another, as `collab copy`
/// does: SQLite or PostgreSQL on either side.
///
/// A copy holds everything stored about the document: its ops exactly as stored (version,
/// client id, seq, user, time, length, op and deleted texts), its snapshots with their
/// checksums and times, its named versions, its client and author rows and its summary,
/// compaction horizon included. The ops go in appends of at most `batchSize`, so memory and transactions
/// stay bounded for any history; a copy that fails part-way is deleted from the destination
/// again. The source is only read; the copy is of the document as it was when its copy began.
public struct DocumentCopier {
    /// The store read from.
    public let source: any HistoryStore
    /// The store written to.
    public let destination: any HistoryStore
    /// How many ops go into one append (one transaction at the destination).
    public var batchSize = 1_000

    /// A copier from `source` to `destination`.
    public init(from source: any HistoryStore, to destination: any HistoryStore) {
        self.source = source
        self.destination = destination
    }

    /// Copies `doc`. A document the destination already has (any row of it) is refused with
    /// `.documentExists` unless `replacing`, which deletes it there first.
    public func copy(_ doc: String, replacing: Bool) throws(DocumentCopyError) -> DocumentCopyReport {
        guard let info = try onSource({ () throws(StorageError) in try source.documentInfo(doc: doc) }) else {
            throw .unknownDocument(doc)
        }
        let horizon = try onSource { () throws(StorageError) in try source.horizon(doc: doc) }
        let clients = try onSource { () throws(StorageError) in try source.clients(doc: doc) }
        let authors = try onSource { () throws(StorageError) in try source.authors(doc: doc) }
        let snapshotVersions = try onSource { () throws(StorageError) in try source.snapshotVersions(doc: doc) }
        let names = try onSource { () throws(StorageError) in try source.namedVersions(doc: doc) }
        let present = try onDestination { () throws(StorageError) in try destination.documentIDs().contains(doc) }
        if present {
            guard replacing else {
                let version = try onDestination { () throws(StorageError) in try destination.currentVersion(doc: doc) }
                throw .documentExists(doc: doc, version: version)
            }
            try onDestination { () throws(StorageError) in _ = try destination.purge(doc: doc) }
        }
        do {
            let snapshots = try copyRows(info, horizon: horizon, clients: clients, authors: authors,
                                         snapshotVersions: snapshotVersions, names: names)
            return DocumentCopyReport(doc: doc, version: info.version, ops: info.version - horizon, snapshots: snapshots,
                                      namedVersions: names.count, clients: clients.count, horizon: horizon,
                                      replaced: present)
        } catch {
            // Half a document would fail verification and block a second attempt: remove it.
            _ = try? destination.purge(doc: doc)
            throw error
        }
    }

    /// Writes the document's rows to the destination; returns the number of snapshots copied.
    private func copyRows(_ info: DocumentInfo, horizon: Int, clients: [ClientRecord], authors: [DocumentAuthor],
                          snapshotVersions: [Int], names: [NamedVersion]) throws(DocumentCopyError) -> Int {
        let doc = info.id
        if horizon > 0 {
            // The ops start at the horizon: a summary row there makes the appends continue from it.
            let start = DocumentInfo(id: doc, version: horizon, length: info.length, authorCount: info.authorCount,
                                     createdAt: info.createdAt, updatedAt: info.createdAt)
            try onDestination { () throws(StorageError) in
                try destination.writeDocumentRows(start, horizon: horizon, clients: [], authors: [])
            }
        }
        var next = horizon
        while next < info.version {
            let limit = min(batchSize, info.version - next)
            let batch = try onSource { () throws(StorageError) in try source.ops(doc: doc, from: next, limit: limit) }
            guard let first = batch.first else { throw .sourceIncomplete(doc: doc, expected: next, found: nil) }
            for (offset, record) in batch.enumerated() where record.version != next + offset {
                throw .sourceIncomplete(doc: doc, expected: next + offset, found: record.version)
            }
            try onDestination { () throws(StorageError) in try destination.append(batch) }
            next = first.version + batch.count
        }
        var snapshots = 0
        for version in snapshotVersions {
            guard let snapshot = try onSource({ () throws(StorageError) in
                try source.latestSnapshot(doc: doc, atOrBefore: version)
            }), snapshot.version == version else { continue }
            try onDestination { () throws(StorageError) in try destination.saveSnapshot(snapshot) }
            snapshots += 1
        }
        for named in names {
            try onDestination { () throws(StorageError) in try destination.addNamedVersion(named) }
        }
        // Last, so the appends' own bookkeeping cannot overwrite them.
        try onDestination { () throws(StorageError) in
            try destination.writeDocumentRows(info, horizon: horizon, clients: clients, authors: authors)
        }
        return snapshots
    }

    private func onSource<T>(_ body: () throws(StorageError) -> T) throws(DocumentCopyError) -> T {
        do {
            return try body()
        } catch {
            throw .source(error)
        }
    }

    private func onDestination<T>(_ body: () throws(StorageError) -> T) throws(DocumentCopyError) -> T {
        do {
            return try body()
        } catch {
            throw .destination(error)
        }
    }
}
