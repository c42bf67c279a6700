import CollabTransport

/// A loaded room and the connections attached to it (joined or not).
final class RoomEntry {
    let room: Room
    var connectionCount = 0
    var idleTimer: TimerHandle?

    init(room: Room) {
        self.room = room
    }
}

@available(*, unavailable)
extension RoomEntry: Sendable {}
