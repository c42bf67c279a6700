/// The buffer every connection of one loop reads into. A connection reads, hands the bytes
/// to its handler synchronously (handlers copy what they keep) and is done with them, so one
/// buffer per loop serves all its connections and an idle connection holds none of its own.
final class LoopReadBuffer: @unchecked Sendable {
    // @unchecked Sendable is sound: it is created with its `EventLoop` (a `Sendable` class)
    // but only used on that loop's thread, from `Connection.readAvailable`, which runs there.
    private var storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var isLent = false

    deinit {
        storage.deallocate()
    }

    /// Runs `body` with a buffer of exactly `byteCount` bytes: the shared one, or a temporary
    /// one if the shared one is already lent (a read nested in a handler's callback).
    func withBuffer<Result>(byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) -> Result) -> Result {
        guard !isLent else {
            let temporary = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 16)
            defer { temporary.deallocate() }
            return body(temporary)
        }
        if storage.count < byteCount {
            storage.deallocate()
            storage = .allocate(byteCount: byteCount, alignment: 16)
        }
        isLent = true
        defer { isLent = false }
        return body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<byteCount]))
    }
}
