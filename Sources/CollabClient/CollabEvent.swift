import CollabOT

/// What a `DocumentSession` reports, in order, on its `events` stream.
public enum CollabEvent: Sendable, Hashable {
    /// The connection state changed.
    case connectionState(ConnectionState)
    /// Another client's edit was applied to the local text.
    case remoteEdit(RemoteEdit)
    /// The text was loaded or replaced by a snapshot.
    case textReplaced
    /// A local op is durable on the server as `version`.
    case acknowledged(seq: Int, version: Int)
    /// Another participant joined or moved its selection (local coordinates).
    case presence(Participant)
    /// Another participant left.
    case left(clientId: String)
    /// Local edits the server will never see were thrown away (the document had to be reloaded).
    case pendingEditsDiscarded(TextOperation)
    /// Something went wrong; the session carries on unless a `.stopped` state follows.
    case error(CollabClientError)
}
