#if canImport(Glibc)
import Glibc
#endif
import CollabTransport
import Dispatch
import Synchronization

/// Runs work on every loop of a benchmark's group and waits for the answers.
enum WSBenchmarkLoops {
    private final class Answers<T: Sendable>: Sendable {
        let values: Mutex<[Int: T]> = Mutex([:])
    }

    /// Runs `body(index, loop)` on each loop; returns the results in loop order.
    static func onEach<T: Sendable>(_ loops: [EventLoop],
                                    _ body: @escaping @Sendable (Int, EventLoop) -> T) -> [T] {
        let answers = Answers<T>()
        let done = DispatchSemaphore(value: 0)
        for (index, loop) in loops.enumerated() {
            loop.execute {
                let value = body(index, loop)
                answers.values.withLock { $0[index] = value }
                done.signal()
            }
        }
        for _ in loops { done.wait() }
        return answers.values.withLock { values in loops.indices.compactMap { values[$0] } }
    }

    /// How many of `total` connections loop `index` of `loopCount` opens: an even split,
    /// the first `total % loopCount` loops taking one more.
    static func share(of total: Int, loop index: Int, loopCount: Int) -> Int {
        total / loopCount + (index < total % loopCount ? 1 : 0)
    }

    /// The counts of every loop's state, summed; the error is the first loop's that has one.
    static func totals<State: WSBenchmarkTally>(_ states: [LoopBound<State>], on loops: [EventLoop])
        -> (opened: Int, failed: Int, lost: Int, error: String?)
    {
        let each = onEach(loops) { index, _ in
            let s = states[index].value
            return (s.opened, s.failed, s.lost, s.firstError)
        }
        return (each.map(\.0).reduce(0, +), each.map(\.1).reduce(0, +), each.map(\.2).reduce(0, +),
                each.compactMap(\.3).first)
    }

    /// Polls `condition` (evaluated on the calling thread) every 20 ms until it holds or `timeout` passes.
    static func wait(timeout: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Blocks the calling (non-loop) thread.
    static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// `CLOCK_MONOTONIC` in nanoseconds.
    @inline(__always)
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
