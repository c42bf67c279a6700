/// Reconnect delays: exponential backoff with full jitter.
///
/// The n-th consecutive failed attempt waits a uniformly random time in
/// `[0, min(cap, base · 2ⁿ)]` (ceilings 1 s, 2 s, 4 s … 30 s with the defaults), so a crowd of
/// clients that lost the same server spreads out instead of reconnecting in step. A connection
/// that stayed up for `stableAfter` resets the count.
public struct BackoffPolicy: Sendable, Hashable {
    /// The first ceiling.
    public var base: Duration
    /// The largest ceiling.
    public var cap: Duration
    /// How long a connection must last to count as stable and reset the backoff.
    public var stableAfter: Duration
    /// Failed attempts since the last stable connection.
    public private(set) var failures = 0

    /// A policy; the defaults are 1 s, 30 s and 10 s.
    public init(base: Duration = .seconds(1), cap: Duration = .seconds(30), stableAfter: Duration = .seconds(10)) {
        self.base = base
        self.cap = cap
        self.stableAfter = stableAfter
    }

    /// The most the next delay can be.
    public var ceiling: Duration {
        // 2^failures overflows long after the cap is reached: stop doubling there.
        var ceiling = base
        for _ in 0..<min(failures, 62) {
            if ceiling >= cap { break }
            ceiling *= 2
        }
        return min(ceiling, cap)
    }

    /// The delay before the next attempt, `unitRandom` (in `0..<1`) of the ceiling; counts a failure.
    public mutating func nextDelay(unitRandom: Double) -> Duration {
        let fraction = min(max(unitRandom, 0), 1)
        let delay = ceiling * fraction
        failures += 1
        return delay
    }

    /// The delay when the server asked for a quick return (1001, 1013): none if this is the first
    /// failure since a stable connection, else the usual backoff — so a server that keeps doing
    /// it cannot cause a storm.
    public mutating func nextDelayAfterServerRequest(unitRandom: Double) -> Duration {
        if failures == 0 {
            failures = 1
            return .zero
        }
        return nextDelay(unitRandom: unitRandom)
    }

    /// A connection ended after being up for `uptime`: a stable one resets the count.
    public mutating func connectionEnded(uptime: Duration) {
        if uptime >= stableAfter { failures = 0 }
    }

    /// Forgets all failures.
    public mutating func reset() {
        failures = 0
    }
}
