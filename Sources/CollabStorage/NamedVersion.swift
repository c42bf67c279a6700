/// A version of a document marked with a name (`POST /v1/docs/{id}/versions`, `collab tag`).
public struct NamedVersion: Equatable, Sendable {
    /// The document.
    public var doc: String
    /// The name, unique per document: 1–100 Unicode scalars, no control characters.
    public var name: String
    /// The version it names.
    public var version: Int
    /// The token `sub` that named it.
    public var user: String
    /// When, in milliseconds since the Unix epoch.
    public var createdAt: Int64

    /// A named version as stored.
    public init(doc: String, name: String, version: Int, user: String, createdAt: Int64) {
        self.doc = doc
        self.name = name
        self.version = version
        self.user = user
        self.createdAt = createdAt
    }

    /// Why `name` cannot name a version, or nil if it can.
    public static func problem(with name: String) -> String? {
        let count = name.unicodeScalars.count
        guard count >= 1, count <= 100 else { return "a name is 1 to 100 characters" }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "a name has no control characters"
        }
        return nil
    }
}
