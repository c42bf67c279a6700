import CollabOT

/// Another client connected to the document, with its selection in *local* coordinates: the
/// positions refer to the text this client shows now, local pending edits included.
public struct Participant: Sendable, Hashable {
    /// The client's id.
    public var clientId: String
    /// Who it is.
    public var user: ParticipantUser
    /// The selected ranges in the local text, or nil for none.
    public var selection: Selection?

    /// A participant.
    public init(clientId: String, user: ParticipantUser, selection: Selection?) {
        self.clientId = clientId
        self.user = user
        self.selection = selection
    }
}
