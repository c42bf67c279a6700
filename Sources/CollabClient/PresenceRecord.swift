import CollabOT

/// Another client's presence as the server sends it (`PRESENCE`, contract §2.3): a selection
/// in the server's version space at `version`.
public struct PresenceRecord: Sendable, Hashable {
    /// The client's id.
    public var clientId: String
    /// Who it is.
    public var user: ParticipantUser
    /// The version `selection` refers to.
    public var version: Int
    /// The selected ranges, or nil for none.
    public var selection: Selection?

    /// A record.
    public init(clientId: String, user: ParticipantUser, version: Int, selection: Selection?) {
        self.clientId = clientId
        self.user = user
        self.version = version
        self.selection = selection
    }
}
