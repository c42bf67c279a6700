import CollabAuth
/// Who is on a connection, as authenticated in the handshake.
public struct SessionIdentity: Sendable, Hashable {
    /// The token's `sub`; nil in open mode, where it becomes `anon-<clientId>` at join.
    public var sub: String?
    /// The token's `name` claim, if any.
    public var name: String?
    /// The token's role.
    public var role: Role

    /// An identity from a verified token (or open mode with `sub` nil).
    public init(sub: String?, name: String? = nil, role: Role = .default) {
        self.sub = sub
        self.name = name
        self.role = role
    }

    /// The anonymous editor of open mode (no secret configured).
    public static let anonymous = SessionIdentity(sub: nil, name: nil, role: .editor)
}
