/// Latency histogram with about 6% resolution: 16 linear sub-buckets per power of two of
/// nanoseconds. Recording is a few instructions and never allocates after `init`.
struct WSBenchmarkHistogram: Sendable {
    private var counts = [Int](repeating: 0, count: 64 * 16)
    /// Number of values recorded.
    private(set) var total = 0

    /// Adds one value in nanoseconds.
    mutating func record(_ nanoseconds: UInt64) {
        counts[Self.bucket(nanoseconds)] += 1
        total += 1
    }

    /// Adds every value of `other`.
    mutating func merge(_ other: WSBenchmarkHistogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        total += other.total
    }

    /// The value at quantile `q` (0...1) in nanoseconds (a bucket's lower bound); 0 if empty.
    func percentile(_ q: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = max(1, Int((Double(total) * q).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= rank { return Self.lowerBound(index) }
        }
        return Self.lowerBound(counts.count - 1)
    }

    private static func bucket(_ value: UInt64) -> Int {
        if value < 16 { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // ≥ 4
        let sub = Int((value >> UInt64(exponent - 4)) & 15)
        return (exponent - 3) * 16 + sub
    }

    private static func lowerBound(_ index: Int) -> UInt64 {
        if index < 16 { return UInt64(index) }
        let exponent = index / 16 + 3
        let sub = UInt64(index % 16)
        return (16 + sub) << UInt64(exponent - 4)
    }
}
