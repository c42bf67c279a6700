import CollabOT

/// One client's presence as sent to others (`PRESENCE`, contract §2.3).
public struct PresenceState: Sendable, Hashable {
    /// The client's id.
    public var clientId: String
    /// The client's `sub`.
    public var userId: String
    /// The display name.
    public var name: String
    /// The colour, `#rrggbb`.
    public var color: String
    /// The version the selection refers to.
    public var version: Int
    /// The ranges, or nil for none.
    public var selection: Selection?

    /// A presence.
    public init(clientId: String, userId: String, name: String, color: String, version: Int, selection: Selection?) {
        self.clientId = clientId
        self.userId = userId
        self.name = name
        self.color = color
        self.version = version
        self.selection = selection
    }
}
