/// A participant connected to another node of a cluster, as this room shows it.
struct RemoteParticipant {
    /// The node it is connected to.
    var node: String
    /// Its presence, transformed to the room's durable version.
    var state: PresenceState
    /// When its node last mentioned it (presence or roster), on the room's clock.
    var lastSeen: Duration
}
