import Synchronization

/// When each editor sent its recent ops, shared by every client loop: the author's loop writes,
/// the other editors' loops read it when the op reaches them (propagation latency).
///
/// One small ring per editor, keyed by `seq`; an editor has one op in flight, so a ring of 64
/// outlives any op still travelling to a slow receiver. A slot whose `seq` no longer matches
/// gives no sample rather than a wrong one.
final class ServerBenchmarkSendTimes: Sendable {
    private final class Ring: Sendable {
        /// `[seq, time, seq, time, ...]`.
        let slots = Mutex<[UInt64]>([UInt64](repeating: 0, count: 2 * ServerBenchmarkSendTimes.ringSize))
    }

    static let ringSize = 64
    private let rings: [Ring]

    init(editors: Int) {
        rings = (0..<editors).map { _ in Ring() }
    }

    /// Records that editor `editor` sent `seq` at `time` (monotonic nanoseconds).
    func record(editor: Int, seq: Int, time: UInt64) {
        let slot = 2 * (seq % Self.ringSize)
        rings[editor].slots.withLock { slots in
            slots[slot] = UInt64(seq)
            slots[slot + 1] = time
        }
    }

    /// When editor `editor` sent `seq`, if still known.
    func time(editor: Int, seq: Int) -> UInt64? {
        guard editor >= 0, editor < rings.count, seq > 0 else { return nil }
        let slot = 2 * (seq % Self.ringSize)
        return rings[editor].slots.withLock { slots in
            slots[slot] == UInt64(seq) ? slots[slot + 1] : nil
        }
    }
}
