/// The shortest edit script between two sequences (Myers, "An O(ND) Difference Algorithm",
/// 1986): runs of kept, deleted and inserted elements, in order.
struct EditScript: Equatable {
    /// One run of the script.
    enum Run: Equatable {
        /// The next `count` elements are in both.
        case keep(Int)
        /// The next `count` elements of the old sequence are not in the new one.
        case delete(Int)
        /// The new sequence's elements in `range` come next.
        case insert(Range<Int>)
    }

    var runs: [Run] = []

    /// The script from `old` to `new`, or nil when it needs more than `maxEdits` deletions and
    /// insertions (time O((n + m)·D), memory O(D²): bounded, so huge rewrites fall back to a
    /// coarser diff instead of stalling).
    init?<Element: Equatable>(from old: [Element], to new: [Element], maxEdits: Int) {
        let n = old.count, m = new.count
        // Every script needs at least |n - m| edits.
        guard abs(n - m) <= maxEdits else { return nil }
        let limit = min(maxEdits, n + m)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        // trace[d]: the frontier before step d, kept for k in -d-1 ... d+1.
        var trace: [[Int]] = []
        var found = false
        search: for d in 0...limit {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])
                    ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && old[x] == new[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n && y >= m {
                    found = true
                    break search
                }
            }
        }
        guard found else { return nil }
        // Walk back from (n, m), one step per d, collecting runs in reverse.
        var reversed: [Run] = []
        func add(_ run: Run) {
            switch (reversed.last, run) {
            case (.keep(let a)?, .keep(let b)): reversed[reversed.count - 1] = .keep(a + b)
            case (.delete(let a)?, .delete(let b)): reversed[reversed.count - 1] = .delete(a + b)
            case (.insert(let a)?, .insert(let b)) where b.upperBound == a.lowerBound:
                reversed[reversed.count - 1] = .insert(b.lowerBound..<a.upperBound)
            default: reversed.append(run)
            }
        }
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let frontier = trace[d]
            func at(_ k: Int) -> Int { frontier[k + d + 1] }
            let k = x - y
            let previousK = k == -d || (k != d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
            let previousX = at(previousK)
            let previousY = previousX - previousK
            let snake = min(x - max(previousX, 0), y - max(previousY, 0))
            if snake > 0 { add(.keep(snake)) }
            x -= snake
            y -= snake
            if d > 0 {
                if x == previousX {
                    add(.insert(previousY..<previousY + 1))
                } else {
                    add(.delete(1))
                }
            }
            x = previousX
            y = previousY
        }
        runs = reversed.reversed()
    }
}
