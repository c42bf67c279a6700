import Synchronization

/// A Prometheus histogram: counts of observations at or below each bound, plus their sum.
final class MetricHistogram: Sendable {
    /// Upper bounds, ascending; `+Inf` is implied.
    let bounds: [Double]
    private let state: Mutex<(counts: [Int], sum: Double)>

    init(bounds: [Double]) {
        self.bounds = bounds
        state = Mutex((counts: [Int](repeating: 0, count: bounds.count + 1), sum: 0))
    }

    /// Records one observation.
    func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        state.withLock {
            $0.counts[index] += 1
            $0.sum += value
        }
    }

    /// Observations so far.
    var count: Int { state.withLock { $0.counts.reduce(0, +) } }

    /// Appends the family: HELP, TYPE, cumulative `_bucket`s ending at `+Inf`, `_sum`, `_count`.
    func append(to out: inout String, name: String, help: String) {
        let (counts, sum) = state.withLock { ($0.counts, $0.sum) }
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (index, bound) in bounds.enumerated() {
            cumulative += counts[index]
            out += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += counts[bounds.count]
        out += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n\(name)_sum \(sum)\n\(name)_count \(cumulative)\n"
    }
}
