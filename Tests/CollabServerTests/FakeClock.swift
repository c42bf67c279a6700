@testable import CollabServer

/// A clock the test moves by hand; timers fire in deadline order as it passes them.
final class FakeClock: RoomClock {
    final class Timer: RoomTimer {
        let deadline: Duration
        let order: Int
        var action: (() -> Void)?
        init(deadline: Duration, order: Int, action: @escaping () -> Void) {
            self.deadline = deadline
            self.order = order
            self.action = action
        }
        func cancel() { action = nil }
    }

    private(set) var now: Duration = .seconds(1_000)
    var unixTimeMilliseconds: Int64 = 1_763_800_000_000
    private var timers: [Timer] = []
    private var scheduled = 0

    func schedule(after delay: Duration, _ action: @escaping () -> Void) -> any RoomTimer {
        scheduled += 1
        let timer = Timer(deadline: now + delay, order: scheduled, action: action)
        timers.append(timer)
        return timer
    }

    /// Moves time forward, running every timer that falls due on the way.
    func advance(by delay: Duration) {
        let end = now + delay
        while true {
            timers.removeAll { $0.action == nil }
            guard let next = timers.filter({ $0.deadline <= end })
                .min(by: { ($0.deadline, $0.order) < ($1.deadline, $1.order) }) else { break }
            now = max(now, next.deadline)
            let action = next.action
            next.action = nil
            action?()
        }
        now = end
        unixTimeMilliseconds += Int64(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
    }

    var pendingTimerCount: Int { timers.filter { $0.action != nil }.count }
}
