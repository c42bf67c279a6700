#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex; the only way to touch it is `withLock`.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable is sound: `value` is read and written only inside `withLock`,
    // which holds `mutex`, so no two threads ever access it at the same time.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
