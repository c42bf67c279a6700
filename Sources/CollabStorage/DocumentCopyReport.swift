/// What `DocumentCopier.copy` wrote for one document.
public struct DocumentCopyReport: Equatable, Sendable {
    /// The document id.
    public var doc: String
    /// The document's version (its summary's, as copied).
    public var version: Int
    /// The ops copied (fewer than `version` for a compacted document).
    public var ops: Int
    /// The snapshots copied.
    public var snapshots: Int
    /// The named versions copied.
    public var namedVersions: Int
    /// The client rows copied.
    public var clients: Int
    /// The compaction horizon copied (0 if never compacted).
    public var horizon: Int
    /// Whether a copy already at the destination was deleted first.
    public var replaced: Bool

    /// A report.
    public init(doc: String, version: Int, ops: Int, snapshots: Int, namedVersions: Int, clients: Int, horizon: Int,
                replaced: Bool) {
        self.doc = doc
        self.version = version
        self.ops = ops
        self.snapshots = snapshots
        self.namedVersions = namedVersions
        self.clients = clients
        self.horizon = horizon
        self.replaced = replaced
    }
}
