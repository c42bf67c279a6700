/// Identifies a scheduled timer so it can be cancelled.
public struct TimerHandle: Sendable, Hashable {
    let id: UInt64
    let eventLoop: EventLoop

    /// Cancels the timer if it has not fired yet. From another thread the cancellation
    /// hops to the loop, so a timer that is already due may still fire.
    public func cancel() {
        if eventLoop.inEventLoop {
            eventLoop.cancelTimer(id)
        } else {
            let loop = eventLoop, id = self.id
            eventLoop.execute { loop.cancelTimer(id) }
        }
    }

    public static func == (lhs: TimerHandle, rhs: TimerHandle) -> Bool {
        lhs.id == rhs.id && lhs.eventLoop === rhs.eventLoop
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(ObjectIdentifier(eventLoop))
    }
}
