import CollabPostgres
import CollabStorage

/// Named versions, compaction and deletion, as `SQLiteOpStore`'s history extension has them.
extension PostgresOpStore: HistoryStore {
    // MARK: - Reading

    /// See `HistoryStore.history`.
    public func history(doc: String, from version: Int = 0, limit: Int, user: String? = nil,
                        since: Int64? = nil) throws(StorageError) -> [OpRecord] {
        guard limit > 0 else { return [] }
        var sql = "SELECT \(Self.opColumns) FROM ops WHERE doc = $1 AND version >= $2::bigint"
        var parameters: [String?] = [doc, String(version)]
        if let user {
            parameters.append(user)
            sql += " AND author = $\(parameters.count)"
        }
        if let since {
            parameters.append(String(since))
            sql += " AND ts >= $\(parameters.count)::bigint"
        }
        parameters.append(String(limit))
        sql += " ORDER BY version LIMIT $\(parameters.count)::bigint"
        return try rows(sql, parameters).map { row throws(StorageError) in try Self.opRecord(row) }
    }

    /// See `HistoryStore.clients(doc:)`: client ids in byte order, as SQLite sorts them.
    public func clients(doc: String) throws(StorageError) -> [ClientRecord] {
        try rows("""
            SELECT client_id, author, first_version, highest_seq, highest_version FROM clients
            WHERE doc = $1 ORDER BY client_id COLLATE "C"
            """, [doc]).map { row throws(StorageError) in
            ClientRecord(clientId: try Self.text(row, 0), user: try Self.text(row, 1), firstVersion: try Self.int(row, 2),
                         highestSeq: try Self.int(row, 3), highestVersion: try Self.int(row, 4))
        }
    }

    // MARK: - Named versions

    /// The document's named versions in version order (then by name, byte-wise).
    public func namedVersions(doc: String) throws(StorageError) -> [NamedVersion] {
        try rows("""
            SELECT name, version, author, created_at FROM named_versions WHERE doc = $1
            ORDER BY version, name COLLATE "C"
            """, [doc]).map { row throws(StorageError) in
            NamedVersion(doc: doc, name: try Self.text(row, 0), version: try Self.int(row, 1),
                         user: try Self.text(row, 2), createdAt: try Self.int64(row, 3))
        }
    }

    /// The version named `name`, if any.
    public func namedVersion(doc: String, name: String) throws(StorageError) -> NamedVersion? {
        guard let row = try rows("""
            SELECT version, author, created_at FROM named_versions WHERE doc = $1 AND name = $2
            """, [doc, name]).first else { return nil }
        return NamedVersion(doc: doc, name: name, version: try Self.int(row, 0), user: try Self.text(row, 1),
                            createdAt: try Self.int64(row, 2))
    }

    /// Stores `named`; `.nameTaken` if the document already has that name (decided by the
    /// primary key, so two nodes naming at once cannot both win).
    public func addNamedVersion(_ named: NamedVersion) throws(StorageError) {
        let result = try pipeline([PostgresQuery("""
            INSERT INTO named_versions (doc, name, version, author, created_at)
            VALUES ($1, $2, $3::bigint, $4, $5::bigint) ON CONFLICT (doc, name) DO NOTHING
            """, [named.doc, named.name, String(named.version), named.user, String(named.createdAt)])])[0]
        guard result.affectedRows == 1 else {
            throw .nameTaken(doc: named.doc, name: named.name)
        }
    }

    /// Removes the name; false if there was none.
    @discardableResult
    public func removeNamedVersion(doc: String, name: String) throws(StorageError) -> Bool {
        try pipeline([PostgresQuery("DELETE FROM named_versions WHERE doc = $1 AND name = $2", [doc, name])])[0]
            .affectedRows ?? 0 > 0
    }

    // MARK: - Deletion

    /// Removes every trace of `doc`: ops, snapshots, names, client records, authors and its
    /// summary, so the id starts again from version 0. False if it had none. One pipeline, so
    /// one implicit transaction; it locks the summary row first, so a concurrent append waits.
    @discardableResult
    public func purge(doc: String) throws(StorageError) -> Bool {
        let tables = ["ops", "snapshots", "named_versions", "clients", "document_authors"]
        let results = try pipeline(
            [PostgresQuery("SELECT 1 FROM documents WHERE id = $1 FOR UPDATE", [doc])]
                + tables.map { PostgresQuery("DELETE FROM \($0) WHERE doc = $1", [doc]) }
                + [PostgresQuery("DELETE FROM documents WHERE id = $1", [doc])])
        return results.last?.affectedRows ?? 0 > 0
    }

    // MARK: - Copying

    /// See `HistoryStore.documentIDs()`: byte order (COLLATE "C"), as SQLite sorts.
    public func documentIDs() throws(StorageError) -> [String] {
        try rows("""
            SELECT id COLLATE "C" FROM documents UNION SELECT doc FROM ops
            UNION SELECT doc FROM snapshots UNION SELECT doc FROM clients ORDER BY 1
            """, []).map { row throws(StorageError) in try Self.text(row, 0) }
    }

    /// See `HistoryStore.authors(doc:)`: byte order (COLLATE "C"), as SQLite sorts.
    public func authors(doc: String) throws(StorageError) -> [DocumentAuthor] {
        try rows("""
            SELECT author, first_version FROM document_authors WHERE doc = $1 ORDER BY author COLLATE "C"
            """, [doc]).map { row throws(StorageError) in
            DocumentAuthor(user: try Self.text(row, 0), firstVersion: try Self.int(row, 1))
        }
    }

    /// See `HistoryStore.writeDocumentRows(_:horizon:clients:authors:)`. One pipeline, so one
    /// implicit transaction; it locks the summary row first, as appends do.
    public func writeDocumentRows(_ info: DocumentInfo, horizon: Int, clients: [ClientRecord],
                                  authors: [DocumentAuthor]) throws(StorageError) {
        var queries = [
            PostgresQuery("SELECT 1 FROM documents WHERE id = $1 FOR UPDATE", [info.id]),
            PostgresQuery("""
                INSERT INTO documents (id, version, length, author_count, created_at, updated_at, horizon)
                VALUES ($1, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, length = excluded.length,
                    author_count = excluded.author_count, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, horizon = excluded.horizon
                """, [info.id, String(info.version), String(info.length), String(info.authorCount),
                      String(info.createdAt), String(info.updatedAt), String(horizon)]),
            PostgresQuery("DELETE FROM clients WHERE doc = $1", [info.id]),
        ]
        for client in clients {
            queries.append(PostgresQuery("""
                INSERT INTO clients (doc, client_id, author, first_version, highest_seq, highest_version)
                VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint)
                """, [info.id, client.clientId, client.user, String(client.firstVersion), String(client.highestSeq),
                      String(client.highestVersion)]))
        }
        queries.append(PostgresQuery("DELETE FROM document_authors WHERE doc = $1", [info.id]))
        for author in authors {
            queries.append(PostgresQuery("""
                INSERT INTO document_authors (doc, author, first_version) VALUES ($1, $2, $3::bigint)
                """, [info.id, author.user, String(author.firstVersion)]))
        }
        _ = try pipeline(queries)
    }

    // MARK: - Compaction

    /// The versions of the document's snapshots, ascending.
    public func snapshotVersions(doc: String) throws(StorageError) -> [Int] {
        try rows("SELECT version FROM snapshots WHERE doc = $1 ORDER BY version", [doc])
            .map { row throws(StorageError) in try Self.int(row, 0) }
    }

    /// See `SQLiteOpStore.compact`: folds the ops below `horizon` into a snapshot at `horizon`
    /// and removes them, with the snapshots below it except those at named versions (each named
    /// version below the horizon gets one first). One transaction holding the document's summary
    /// row, so no node appends meanwhile; with `dryRun` it is rolled back after the report.
    public func compact(doc: String, horizon: Int, now: Int64, dryRun: Bool = false)
        throws(DocumentHistoryError) -> CompactionReport {
        do {
            _ = try pipeline([PostgresQuery("BEGIN"),
                              PostgresQuery("SELECT 1 FROM documents WHERE id = $1 FOR UPDATE", [doc])])
        } catch {
            throw .storage(error)
        }
        do throws(DocumentHistoryError) {
            let report = try compactInTransaction(doc: doc, horizon: horizon, now: now)
            if dryRun {
                _ = try? connection.query("ROLLBACK")
                return report
            }
            do {
                _ = try pipeline([PostgresQuery("COMMIT")])
            } catch {
                throw .storage(error)
            }
            return report
        } catch {
            if connection.transactionStatus != .idle, !connection.isClosed { _ = try? connection.query("ROLLBACK") }
            throw error
        }
    }

    private func compactInTransaction(doc: String, horizon: Int, now: Int64) throws(DocumentHistoryError)
        -> CompactionReport {
        let history = DocumentHistory(store: self, doc: doc)
        let current = try history.currentVersion()
        guard horizon <= current else {
            throw .versionNotFound(doc: doc, requested: horizon, current: current)
        }
        let previous = try mapped { () throws(StorageError) in try self.horizon(doc: doc) }
        guard horizon > previous else {
            return CompactionReport(doc: doc, previousHorizon: previous, horizon: previous, opsRemoved: 0,
                                    snapshotsRemoved: 0, bytesRemoved: 0)
        }
        // Snapshots first, while the ops they are rebuilt from are still there.
        let named = try mapped { () throws(StorageError) in try namedVersions(doc: doc) }
        let kept = Set(try mapped { () throws(StorageError) in try snapshotVersions(doc: doc) })
        for version in Set([horizon] + named.map(\.version).filter { $0 >= previous && $0 < horizon })
        where !kept.contains(version) {
            let text = String(try history.text(atVersion: version))
            try mapped { () throws(StorageError) in
                try saveSnapshot(Snapshot(doc: doc, version: version, text: text, createdAt: now))
            }
        }
        let parameters = [doc, String(horizon)]
        let unnamed = "version NOT IN (SELECT version FROM named_versions WHERE doc = $1)"
        return try mapped { () throws(StorageError) in
            let results = try pipeline([
                PostgresQuery("""
                    SELECT COALESCE(SUM(octet_length(op) + octet_length(deleted)), 0)
                        + (SELECT COALESCE(SUM(octet_length(text)), 0) FROM snapshots
                           WHERE doc = $1 AND version < $2::bigint AND \(unnamed))
                    FROM ops WHERE doc = $1 AND version < $2::bigint
                    """, parameters),
                PostgresQuery("DELETE FROM ops WHERE doc = $1 AND version < $2::bigint", parameters),
                PostgresQuery("DELETE FROM snapshots WHERE doc = $1 AND version < $2::bigint AND \(unnamed)",
                              parameters),
                PostgresQuery("UPDATE documents SET horizon = $2::bigint WHERE id = $1", parameters),
            ])
            let bytes = try results[0].rows.first.map { row throws(StorageError) in try Self.int(row, 0) } ?? 0
            return CompactionReport(doc: doc, previousHorizon: previous, horizon: horizon,
                                    opsRemoved: results[1].affectedRows ?? 0,
                                    snapshotsRemoved: results[2].affectedRows ?? 0, bytesRemoved: bytes)
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
