import CollabPostgresStorage
import CollabStorage

/// The history actions both stores have beyond `OpStore` (named versions, purge, compaction), so the
/// conformance suite can run them against each.
protocol HistoryStore: OpStore {
    func namedVersions(doc: String) throws(StorageError) -> [NamedVersion]
    func namedVersion(doc: String, name: String) throws(StorageError) -> NamedVersion?
    func addNamedVersion(_ named: NamedVersion) throws(StorageError)
    @discardableResult func removeNamedVersion(doc: String, name: String) throws(StorageError) -> Bool
    @discardableResult func purge(doc: String) throws(StorageError) -> Bool
    func snapshotVersions(doc: String) throws(StorageError) -> [Int]
    func compact(doc: String, horizon: Int, now: Int64, dryRun: Bool) throws(DocumentHistoryError) -> CompactionReport
}

extension SQLiteOpStore: HistoryStore {}
extension PostgresOpStore: HistoryStore {}
