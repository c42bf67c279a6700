/// Who another participant is, as the server describes them in `PRESENCE`.
public struct ParticipantUser: Sendable, Hashable {
    /// The user id (token `sub`).
    public var id: String
    /// The display name.
    public var name: String
    /// The colour, `#rrggbb`.
    public var color: String

    /// A user.
    public init(id: String, name: String, color: String) {
        self.id = id
        self.name = name
        self.color = color
    }
}
