/// A fixed set of event loops, one thread each (default: one per core).
public final class EventLoopGroup: Sendable {
    /// The loops, in index order.
    public let loops: [EventLoop]
    private let cursor = Locked(0)

    /// Starts `loopCount` loops (at least one). Also ignores SIGPIPE process-wide.
    public init(loopCount: Int = EventLoopGroup.defaultLoopCount, logger: TransportLogger = .standardError) throws(IOError) {
        Syscall.ignoreSIGPIPE()
        var loops: [EventLoop] = []
        for index in 0..<max(1, loopCount) {
            do {
                loops.append(try EventLoop(index: index, logger: logger))
            } catch {
                for loop in loops { loop.shutdown() }
                throw error
            }
        }
        self.loops = loops
    }

    /// One loop per CPU the process may use.
    public static var defaultLoopCount: Int { Syscall.coreCount() }

    /// The next loop in round-robin order.
    public func next() -> EventLoop {
        let i = cursor.withLock { value -> Int in
            let current = value
            value = (value + 1) % loops.count
            return current
        }
        return loops[i]
    }

    /// The loop for a stable hash (e.g. of a document id): the same hash, the same loop.
    public func loop(for hash: UInt64) -> EventLoop {
        loops[Int(hash % UInt64(loops.count))]
    }

    /// Shuts every loop down and waits for their threads (call from outside the group).
    public func shutdown() {
        for loop in loops { loop.shutdown() }
    }
}
