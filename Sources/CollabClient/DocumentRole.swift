/// The role the server granted on the document (`joined.role`).
public struct DocumentRole: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The wire value, e.g. `editor`.
    public let rawValue: String

    /// Wraps any role name (unknown ones are kept, and treated as read-only).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// May read and see presence, not edit.
    public static let viewer = DocumentRole(rawValue: "viewer")
    /// May edit.
    public static let editor = DocumentRole(rawValue: "editor")
    /// May edit and administer.
    public static let admin = DocumentRole(rawValue: "admin")

    /// Whether ops from this role are accepted.
    public var canEdit: Bool { self == .editor || self == .admin }

    public var description: String { rawValue }
}
