import CLinux
import Dispatch
import Synchronization

/// What a `CommitQueue` keeps under its lock: the requests and the storage thread's state, and
/// whatever else its writer keeps with them.
public protocol CommitQueueState: Sendable {
    /// Requests not yet taken by the storage thread, oldest first.
    var queue: [CommitRequest] { get set }
    /// The storage thread is parked and needs one wake-up.
    var writerParked: Bool { get set }
    /// `close()` was called: no new requests.
    var closing: Bool { get set }
    /// The storage thread, so `close()` called from a completion does not wait for itself.
    var storageThread: pthread_t? { get set }
}

/// The requests waiting for a writer's storage thread, shared with every thread that submits:
/// queueing, parking and waking the storage thread, and closing, which waits until it stopped.
/// The writer decides what to take and when (`state`); the queue owns the handshakes.
public final class CommitQueue<State: CommitQueueState>: Sendable {
    /// The requests and the writer's bookkeeping.
    public let state: Mutex<State>
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// A queue starting from `state`.
    public init(_ state: State) {
        self.state = Mutex(state)
    }

    /// Queues `request` (`noting` updates the writer's bookkeeping under the same lock) and
    /// wakes the storage thread if it is parked. After `close()` the request completes at once,
    /// on the calling thread, with `.closed`.
    public func submit(_ request: CommitRequest, noting: (inout State) -> Void = { _ in }) {
        // nil: refused; else whether the storage thread needs waking.
        let wake = state.withLock { state -> Bool? in
            guard !state.closing else { return nil }
            noting(&state)
            state.queue.append(request)
            guard state.writerParked else { return false }
            state.writerParked = false
            return true
        }
        switch wake {
        case nil: request.completion(.failure(.closed))
        case true?: wakeup.signal()
        case false?: break
        }
    }

    /// Called first on the storage thread.
    public func enterStorageThread() {
        state.withLock { $0.storageThread = pthread_self() }
    }

    /// On the storage thread, after setting `writerParked` under the lock: waits for a request
    /// or `close()`. With `timeout`: false if it passed first (then no longer parked).
    @discardableResult
    public func park(timeout: Duration? = nil) -> Bool {
        guard let timeout else {
            wakeup.wait()
            return true
        }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        guard wakeup.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut else { return true }
        // A submit may have cleared the flag and signalled in between: then that signal is
        // spent on the next park, which returns at once and finds the request.
        state.withLock { $0.writerParked = false }
        return false
    }

    /// Called last on the storage thread: it has stopped.
    public func stopped() {
        finished.signal()
    }

    /// Refuses new requests and wakes the storage thread to finish what is queued; then, unless
    /// called on the storage thread (from a completion) or where `waits` says not to, waits
    /// until it has stopped. Safe to call more than once.
    public func close(waits: Bool = true) {
        let (wake, onStorageThread) = state.withLock { state -> (Bool, Bool) in
            state.closing = true
            let onStorageThread = state.storageThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
            guard state.writerParked else { return (false, onStorageThread) }
            state.writerParked = false
            return (true, onStorageThread)
        }
        if wake { wakeup.signal() }
        guard waits, !onStorageThread else { return }
        finished.wait()
        finished.signal()  // let any other close() through too
    }
}
