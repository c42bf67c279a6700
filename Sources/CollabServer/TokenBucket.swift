/// A token bucket: `rate` tokens a second, at most `capacity`, starting full.
struct TokenBucket {
    let rate: Double
    let capacity: Double
    private var tokens: Double
    private var updated: Duration?

    init(rate: Double, capacity: Double) {
        self.rate = rate
        self.capacity = capacity
        tokens = capacity
    }

    /// Takes one token at time `now`; false if there is none.
    mutating func take(at now: Duration) -> Bool {
        if let updated {
            let elapsed = now - updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(capacity, tokens + max(0, seconds) * rate)
        }
        updated = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
