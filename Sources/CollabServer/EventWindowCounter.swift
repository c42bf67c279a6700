/// Counts events in a sliding time window (e.g. bad messages in the last minute).
struct EventWindowCounter {
    let limit: Int
    let window: Duration
    private var times: [Duration] = []

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Records an event at `now`; true once `limit` events fall within the window.
    mutating func record(at now: Duration) -> Bool {
        times.removeAll { now - $0 >= window }
        times.append(now)
        return times.count >= limit
    }
}
