/// What a connection may do on a document (the token's `role` claim).
public enum ParticipantRole: String, Sendable, Hashable {
    /// Reads and sends presence; ops are `forbidden`.
    case viewer
    /// Reads and edits.
    case editor
    /// Edits; HTTP admin endpoints too.
    case admin

    /// Whether ops from this role are accepted.
    public var canEdit: Bool {
        switch self {
        case .viewer: false
        case .editor, .admin: true
        }
    }
}
