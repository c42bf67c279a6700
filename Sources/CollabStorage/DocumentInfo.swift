/// A document's summary row, kept current by every append (for `collab docs`).
public struct DocumentInfo: Equatable, Sendable {
    /// The document id.
    public var id: String
    /// The number of ops stored.
    public var version: Int
    /// The text length in Unicode scalars at `version`.
    public var length: Int
    /// The number of distinct authors (`sub`s) among its ops.
    public var authorCount: Int
    /// The time of its first op, in milliseconds since the Unix epoch.
    public var createdAt: Int64
    /// The time of its latest op, in milliseconds since the Unix epoch.
    public var updatedAt: Int64

    /// Makes a summary.
    public init(id: String, version: Int, length: Int, authorCount: Int, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.version = version
        self.length = length
        self.authorCount = authorCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
