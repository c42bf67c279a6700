/// What a token allows on a document, from least to most: viewers read, editors also edit,
/// admins also read history and metrics.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case viewer
    case editor
    case admin

    /// The role of a token without a `role` claim.
    public static let `default` = Role.editor

    /// Whether the role may submit operations.
    public var canWrite: Bool { self >= .editor }

    /// Whether the role may read op history and metrics.
    public var canAdminister: Bool { self == .admin }

    /// The claim's spelling: `viewer`, `editor` or `admin`.
    public var description: String { rawValue }

    private var rank: Int {
        switch self {
        case .viewer: return 0
        case .editor: return 1
        case .admin: return 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
