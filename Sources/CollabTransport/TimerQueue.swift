/// A loop's pending timers: a binary min-heap on (deadline, id) plus the live callbacks.
/// Cancelling removes the callback; its heap entry is skipped when it surfaces.
struct TimerQueue {
    private struct Entry {
        var deadline: UInt64
        var id: UInt64
        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : id < other.id
        }
    }

    private var heap: [Entry] = []
    private var callbacks: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1

    /// Number of timers that are scheduled and not cancelled.
    var count: Int { callbacks.count }

    mutating func schedule(deadline: UInt64, _ callback: @escaping () -> Void) -> UInt64 {
        let id = nextID
        nextID += 1
        callbacks[id] = callback
        push(Entry(deadline: deadline, id: id))
        return id
    }

    mutating func cancel(_ id: UInt64) {
        callbacks[id] = nil
        // Cancelled entries linger until they surface; rebuild when they dominate.
        if heap.count > 64 && heap.count > 4 * callbacks.count {
            heap = heap.filter { callbacks[$0.id] != nil }
            for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
    }

    /// The earliest live deadline, if any.
    mutating func nextDeadline() -> UInt64? {
        while let top = heap.first {
            if callbacks[top.id] != nil { return top.deadline }
            popTop()
        }
        return nil
    }

    /// Removes and returns the callback of the earliest live timer due at `now` whose id is
    /// below `idLimit` (timers scheduled during this pass wait for the next one).
    mutating func popDue(now: UInt64, idLimit: UInt64) -> (() -> Void)? {
        while let top = heap.first, top.deadline <= now, top.id < idLimit {
            popTop()
            if let callback = callbacks.removeValue(forKey: top.id) { return callback }
        }
        return nil
    }

    /// The id the next scheduled timer will get.
    var upcomingID: UInt64 { nextID }

    /// Removes all timers.
    mutating func removeAll() {
        heap.removeAll()
        callbacks.removeAll()
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
