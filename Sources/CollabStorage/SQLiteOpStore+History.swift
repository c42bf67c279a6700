/// Named versions, compaction and deletion: the history users act on (migration 0004).
extension SQLiteOpStore {
    // MARK: - Horizon

    /// See `OpStore.horizon(doc:)`.
    public func horizon(doc: String) throws(StorageError) -> Int {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("SELECT horizon FROM documents WHERE id = ?")
            try statement.bind(doc, at: 1)
            defer { statement.reset() }
            return try statement.step()?.int(0) ?? 0
        }
    }

    // MARK: - Named versions

    /// The document's named versions in version order (then by name).
    public func namedVersions(doc: String) throws(StorageError) -> [NamedVersion] {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("""
                SELECT name, version, user, created_at FROM named_versions WHERE doc = ? ORDER BY version, name
                """)
            try statement.bind(doc, at: 1)
            var names: [NamedVersion] = []
            try statement.forEachRow { row in
                names.append(NamedVersion(doc: doc, name: row.string(0), version: row.int(1), user: row.string(2),
                                          createdAt: row.int64(3)))
            }
            return names
        }
    }

    /// The version named `name`, if any.
    public func namedVersion(doc: String, name: String) throws(StorageError) -> NamedVersion? {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("""
                SELECT version, user, created_at FROM named_versions WHERE doc = ? AND name = ?
                """)
            try statement.bind([doc, name])
            defer { statement.reset() }
            return try statement.step().map { row in
                NamedVersion(doc: doc, name: name, version: row.int(0), user: row.string(1), createdAt: row.int64(2))
            }
        }
    }

    /// Stores `named`; `.nameTaken` if the document already has that name.
    public func addNamedVersion(_ named: NamedVersion) throws(StorageError) {
        try inWriteTransaction { () throws(StorageError) in
            guard try namedVersion(doc: named.doc, name: named.name) == nil else {
                throw .nameTaken(doc: named.doc, name: named.name)
            }
            try sqlite { () throws(SQLiteError) in
                let statement = try database.cachedStatement("""
                    INSERT INTO named_versions (doc, name, version, user, created_at) VALUES (?, ?, ?, ?, ?)
                    """)
                try statement.bind([named.doc, named.name, named.version, named.user, named.createdAt])
                try statement.run()
            }
        }
    }

    /// Removes the name; false if there was none.
    @discardableResult
    public func removeNamedVersion(doc: String, name: String) throws(StorageError) -> Bool {
        var removed = false
        try inWriteTransaction { () throws(StorageError) in
            removed = try sqlite { () throws(SQLiteError) in
                let statement = try database.cachedStatement("DELETE FROM named_versions WHERE doc = ? AND name = ?")
                try statement.bind([doc, name])
                try statement.run()
                return database.changes > 0
            }
        }
        return removed
    }

    // MARK: - Deletion

    /// Removes every trace of `doc`: ops, snapshots, names, client records, authors and its
    /// summary, in one transaction, so the id starts again from version 0. False if it had none.
    @discardableResult
    public func purge(doc: String) throws(StorageError) -> Bool {
        var existed = false
        try inWriteTransaction { () throws(StorageError) in
            existed = try documentInfo(doc: doc) != nil
            try sqlite { () throws(SQLiteError) in
                for table in ["ops", "snapshots", "named_versions", "clients", "document_authors"] {
                    let statement = try database.cachedStatement("DELETE FROM \(table) WHERE doc = ?")
                    try statement.bind(doc, at: 1)
                    try statement.run()
                }
                let statement = try database.cachedStatement("DELETE FROM documents WHERE id = ?")
                try statement.bind(doc, at: 1)
                try statement.run()
            }
        }
        return existed
    }

    // MARK: - Copying

    /// See `HistoryStore.documentIDs()`: SQLite's BINARY collation is byte order.
    public func documentIDs() throws(StorageError) -> [String] {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement("""
                SELECT id FROM documents UNION SELECT DISTINCT doc FROM ops
                UNION SELECT DISTINCT doc FROM snapshots UNION SELECT DISTINCT doc FROM clients ORDER BY 1
                """)
            var ids: [String] = []
            try statement.forEachRow { row in ids.append(row.string(0)) }
            return ids
        }
    }

    /// See `HistoryStore.authors(doc:)`.
    public func authors(doc: String) throws(StorageError) -> [DocumentAuthor] {
        try sqlite { () throws(SQLiteError) in
            let statement = try database.cachedStatement(
                "SELECT user, first_version FROM document_authors WHERE doc = ? ORDER BY user")
            try statement.bind(doc, at: 1)
            var authors: [DocumentAuthor] = []
            try statement.forEachRow { row in authors.append(DocumentAuthor(user: row.string(0), firstVersion: row.int(1))) }
            return authors
        }
    }

    /// See `HistoryStore.writeDocumentRows(_:horizon:clients:authors:)`.
    public func writeDocumentRows(_ info: DocumentInfo, horizon: Int, clients: [ClientRecord],
                                  authors: [DocumentAuthor]) throws(StorageError) {
        try inWriteTransaction { () throws(StorageError) in
            try sqlite { () throws(SQLiteError) in
                let document = try database.cachedStatement("""
                    INSERT INTO documents (id, version, length, author_count, created_at, updated_at, horizon)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, length = excluded.length,
                        author_count = excluded.author_count, created_at = excluded.created_at,
                        updated_at = excluded.updated_at, horizon = excluded.horizon
                    """)
                try document.bind([info.id, info.version, info.length, info.authorCount, info.createdAt,
                                   info.updatedAt, horizon])
                try document.run()
                let delete = try database.cachedStatement("DELETE FROM clients WHERE doc = ?")
                try delete.bind(info.id, at: 1)
                try delete.run()
                let insert = try database.cachedStatement("""
                    INSERT INTO clients (doc, client_id, user, first_version, highest_seq, highest_version)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for client in clients {
                    try insert.bind([info.id, client.clientId, client.user, client.firstVersion, client.highestSeq,
                                     client.highestVersion])
                    try insert.run()
                }
                let deleteAuthors = try database.cachedStatement("DELETE FROM document_authors WHERE doc = ?")
                try deleteAuthors.bind(info.id, at: 1)
                try deleteAuthors.run()
                let insertAuthor = try database.cachedStatement(
                    "INSERT INTO document_authors (doc, user, first_version) VALUES (?, ?, ?)")
                for author in authors {
                    try insertAuthor.bind([info.id, author.user, author.firstVersion])
                    try insertAuthor.run()
                }
            }
        }
    }

    // MARK: - Compaction

    /// Folds the ops of `doc` below `horizon` into a snapshot at `horizon` and removes them, with
    /// every snapshot below it except those at named versions (a named version below the horizon
    /// gets one first, so it stays readable by name). A horizon at or below the current one
    /// changes nothing. Everything at or after the horizon is untouched. With `dryRun` the
    /// report says what would be removed and the transaction is rolled back.
    public func compact(doc: String, horizon: Int, now: Int64, dryRun: Bool = false)
        throws(DocumentHistoryError) -> CompactionReport {
        try mapped { () throws(StorageError) in try sqlite { () throws(SQLiteError) in try database.begin(.immediate) } }
        do throws(DocumentHistoryError) {
            let report = try compactInTransaction(doc: doc, horizon: horizon, now: now)
            if dryRun {
                try? database.rollback()
                return report
            }
            try mapped { () throws(StorageError) in try sqlite { () throws(SQLiteError) in try database.commit() } }
            return report
        } catch {
            try? database.rollback()
            throw error
        }
    }

    private func compactInTransaction(doc: String, horizon: Int, now: Int64) throws(DocumentHistoryError)
        -> CompactionReport {
        let current = try DocumentHistory(store: self, doc: doc).currentVersion()
        guard horizon <= current else {
            throw .versionNotFound(doc: doc, requested: horizon, current: current)
        }
        let previous = try mapped { () throws(StorageError) in try self.horizon(doc: doc) }
        guard horizon > previous else {
            return CompactionReport(doc: doc, previousHorizon: previous, horizon: previous, opsRemoved: 0,
                                    snapshotsRemoved: 0, bytesRemoved: 0)
        }
        // Snapshots first, while the ops they are rebuilt from are still there.
        let history = DocumentHistory(store: self, doc: doc)
        let named = try mapped { () throws(StorageError) in try namedVersions(doc: doc) }
        let kept = Set(try mapped { () throws(StorageError) in try snapshotVersions(doc: doc) })
        for version in Set([horizon] + named.map(\.version).filter { $0 >= previous && $0 < horizon })
        where !kept.contains(version) {
            let text = String(try history.text(atVersion: version))
            try mapped { () throws(StorageError) in
                try insert(Snapshot(doc: doc, version: version, text: text, createdAt: now))
            }
        }
        return try mapped { () throws(StorageError) in
            try sqlite { () throws(SQLiteError) in
                func scalar(_ sql: String) throws(SQLiteError) -> Int {
                    let statement = try database.cachedStatement(sql)
                    try statement.bind([doc, horizon])
                    defer { statement.reset() }
                    return try statement.step()?.int(0) ?? 0
                }
                func run(_ sql: String) throws(SQLiteError) -> Int {
                    let statement = try database.cachedStatement(sql)
                    try statement.bind([doc, horizon])
                    try statement.run()
                    return database.changes
                }
                let unnamed = "version NOT IN (SELECT version FROM named_versions WHERE doc = ?1)"
                let bytes = try scalar("""
                    SELECT COALESCE(SUM(length(CAST(op AS BLOB)) + length(CAST(deleted AS BLOB))), 0)
                    FROM ops WHERE doc = ?1 AND version < ?2
                    """) + scalar("""
                    SELECT COALESCE(SUM(length(CAST(text AS BLOB))), 0) FROM snapshots
                    WHERE doc = ?1 AND version < ?2 AND \(unnamed)
                    """)
                let ops = try run("DELETE FROM ops WHERE doc = ?1 AND version < ?2")
                let snapshots = try run("DELETE FROM snapshots WHERE doc = ?1 AND version < ?2 AND \(unnamed)")
                _ = try run("UPDATE documents SET horizon = ?2 WHERE id = ?1")
                return CompactionReport(doc: doc, previousHorizon: previous, horizon: horizon, opsRemoved: ops,
                                        snapshotsRemoved: snapshots, bytesRemoved: bytes)
            }
        }
    }

    /// `body`, its storage error as a history error.
    private func mapped<T>(_ body: () throws(StorageError) -> T) throws(DocumentHistoryError) -> T {
        do {
            return try body()
        } catch {
            throw .storage(error)
        }
    }
}
