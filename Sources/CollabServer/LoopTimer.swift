import CollabTransport

/// A room timer on an event loop.
final class LoopTimer: RoomTimer {
    let handle: TimerHandle

    init(handle: TimerHandle) {
        self.handle = handle
    }

    func cancel() {
        handle.cancel()
    }
}
