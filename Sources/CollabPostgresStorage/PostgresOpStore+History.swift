import CollabPostgres
import CollabStorage

/// Named versions and deletion, as `SQLiteOpStore`'s history extension has them (compaction is
/// not here yet).
extension PostgresOpStore {
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
}
