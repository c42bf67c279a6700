import CollabTransport
import Foundation

/// Real time for the rooms and sessions of one event loop: timers are the loop's.
final class LoopClock: RoomClock {
    let loop: EventLoop
    private let origin = ContinuousClock.now
    /// Added to the wall clock (PostgreSQL's clock minus ours, on a shared database).
    private let offset: @Sendable () -> Int64

    init(loop: EventLoop, offset: @escaping @Sendable () -> Int64 = { 0 }) {
        self.loop = loop
        self.offset = offset
    }

    var now: Duration { ContinuousClock.now - origin }

    var unixTimeMilliseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) + offset() }

    func schedule(after delay: Duration, _ action: @escaping () -> Void) -> any RoomTimer {
        LoopTimer(handle: loop.scheduleTimer(after: delay, action))
    }
}

@available(*, unavailable)
extension LoopClock: Sendable {}
