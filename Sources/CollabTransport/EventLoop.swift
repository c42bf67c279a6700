import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One thread running an epoll loop: it owns the sockets registered with it, runs timers,
/// and runs work submitted from any thread (queue + eventfd wake-up).
///
/// State owned by a loop (connections, handlers, timers) is touched only on its thread;
/// `inEventLoop` tells whether the caller is on it and `LoopBound` enforces it.
public final class EventLoop: Sendable, CustomStringConvertible {
    private enum Lifecycle: Sendable { case running, shuttingDown, stopped }

    private struct SharedState: Sendable {
        var tasks: [@Sendable () -> Void] = []
        var wakePending = false
        var thread: pthread_t?
        var lifecycle = Lifecycle.running
    }

    /// State only the loop thread touches.
    private final class ConfinedState: @unchecked Sendable {
        // @unchecked Sendable is sound: every access goes through EventLoop methods that
        // either run on the loop thread or precondition `inEventLoop` first.
        var timers = TimerQueue()
        var registrations: [UInt64: any EventLoopSelectable] = [:]
        var nextRegistrationID: UInt64 = 1
        /// Writers to flush at the end of the current round, in the order they asked.
        var deferredFlushes: [any DeferredFlush] = []
    }

    /// Position of this loop in its group (for logs).
    public let index: Int
    private let epollDescriptor: CInt
    private let wakeDescriptor: CInt
    private let shared = Locked(SharedState())
    private let confined = ConfinedState()
    /// The buffer this loop's connections read into (one per loop, not one per connection).
    let readBuffer = LoopReadBuffer()
    let logger: TransportLogger

    /// The epoll data value that marks the wake-up eventfd.
    private static let wakeRegistration: UInt64 = 0

    /// Starts a loop on a new thread.
    public init(index: Int = 0, logger: TransportLogger = .standardError) throws(IOError) {
        self.index = index
        self.logger = logger
        epollDescriptor = try Syscall.run("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            wakeDescriptor = try Syscall.run("eventfd") { eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) }
        } catch {
            Syscall.close(epollDescriptor)
            throw error
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.wakeRegistration
        let epfd = epollDescriptor, wfd = wakeDescriptor
        do {
            _ = try Syscall.run("epoll_ctl(add eventfd)") { epoll_ctl(epfd, Int32(EPOLL_CTL_ADD), wfd, &event) }
        } catch {
            Syscall.close(epfd)
            Syscall.close(wfd)
            throw error
        }
        try startThread()
    }

    deinit {
        Syscall.close(epollDescriptor)
        Syscall.close(wakeDescriptor)
    }

    public var description: String { "EventLoop(\(index))" }

    // MARK: - Threads

    /// Whether the caller runs on this loop's thread.
    public var inEventLoop: Bool {
        guard let thread = shared.withLock({ $0.thread }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// Traps unless called on this loop's thread.
    public func preconditionInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inEventLoop, "must be called on \(self)", file: file, line: line)
    }

    private final class ThreadStart {
        let loop: EventLoop
        init(_ loop: EventLoop) { self.loop = loop }
    }

    private func startThread() throws(IOError) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(ThreadStart(self)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
            start.loop.run()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            throw IOError(errnoCode: rc, reason: "pthread_create")
        }
        // Record the id here too, so `inEventLoop` is right even before the thread runs.
        shared.withLock { $0.thread = thread }
    }

    // MARK: - Work from any thread

    /// Runs `work` on this loop soon; callable from any thread. Dropped after shutdown.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let mustWake = shared.withLock { state -> Bool in
            guard state.lifecycle != .stopped else { return false }
            state.tasks.append(work)
            if state.wakePending { return false }
            state.wakePending = true
            return true
        }
        if mustWake { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        let fd = wakeDescriptor
        _ = try? Syscall.nonBlocking("write(eventfd)") { Glibc.write(fd, &one, 8) }
    }

    /// Stops the loop: closes every registered socket and ends the thread. From another
    /// thread this waits for the loop to finish; on the loop itself it returns at once.
    public func shutdown() {
        let thread = shared.withLock { state -> pthread_t? in
            guard state.lifecycle == .running else { return nil }
            state.lifecycle = .shuttingDown
            return state.thread
        }
        guard let thread else { return }
        wake()
        if pthread_equal(thread, pthread_self()) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }

    // MARK: - Timers (loop thread only)

    /// Runs `body` on this loop after `delay`; must be called on the loop.
    @discardableResult
    public func scheduleTimer(after delay: Duration, _ body: @escaping () -> Void) -> TimerHandle {
        preconditionInEventLoop()
        let deadline = Syscall.monotonicNanoseconds() &+ delay.clampedNanoseconds
        let id = confined.timers.schedule(deadline: deadline, body)
        return TimerHandle(id: id, eventLoop: self)
    }

    /// Calls `target.flushDeferred()` once the current round of events, timers and tasks has
    /// run (before the loop waits again); loop thread only. The target asks once per round.
    func deferFlush(_ target: any DeferredFlush) {
        // Its callers' public entry points already precondition the loop; this runs per send.
        assert(inEventLoop)
        confined.deferredFlushes.append(target)
    }

    private func runDeferredFlushes() {
        // A flush can close a connection, and its handlers can queue output elsewhere.
        while !confined.deferredFlushes.isEmpty {
            let targets = confined.deferredFlushes
            confined.deferredFlushes.removeAll(keepingCapacity: true)
            for target in targets { target.flushDeferred() }
        }
    }

    func cancelTimer(_ id: UInt64) {
        preconditionInEventLoop()
        confined.timers.cancel(id)
    }

    /// Number of live timers (for tests and metrics); loop thread only.
    var pendingTimerCount: Int {
        preconditionInEventLoop()
        return confined.timers.count
    }

    // MARK: - Registrations (loop thread only)

    private static func mask(for interest: SelectorInterest) -> UInt32 {
        var mask: UInt32 = 0
        if interest.contains(.readable) { mask |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if interest.contains(.writable) { mask |= EPOLLOUT.rawValue }
        return mask
    }

    func register(_ selectable: any EventLoopSelectable, descriptor: CInt,
                  interest: SelectorInterest) throws(IOError) -> UInt64 {
        preconditionInEventLoop()
        let id = confined.nextRegistrationID
        confined.nextRegistrationID += 1
        var event = epoll_event()
        event.events = Self.mask(for: interest)
        event.data.u64 = id
        let epfd = epollDescriptor
        _ = try Syscall.run("epoll_ctl(add)") { epoll_ctl(epfd, Int32(EPOLL_CTL_ADD), descriptor, &event) }
        confined.registrations[id] = selectable
        return id
    }

    func reregister(_ id: UInt64, descriptor: CInt, interest: SelectorInterest) throws(IOError) {
        preconditionInEventLoop()
        var event = epoll_event()
        event.events = Self.mask(for: interest)
        event.data.u64 = id
        let epfd = epollDescriptor
        _ = try Syscall.run("epoll_ctl(mod)") { epoll_ctl(epfd, Int32(EPOLL_CTL_MOD), descriptor, &event) }
    }

    func deregister(_ id: UInt64, descriptor: CInt) {
        preconditionInEventLoop()
        confined.registrations[id] = nil
        var event = epoll_event()
        _ = epoll_ctl(epollDescriptor, Int32(EPOLL_CTL_DEL), descriptor, &event)
    }

    // MARK: - The loop

    private func run() {
        shared.withLock { $0.thread = pthread_self() }
        // Named so `top -H`, `perf` and /proc tell the loops apart (15 bytes at most).
        _ = pthread_setname_np(pthread_self(), "collab-loop-\(index)")
        let capacity: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        defer { events.deallocate() }
        while true {
            let count = epoll_wait(epollDescriptor, events, capacity, waitTimeout())
            if count < 0 && errno != EINTR {
                logger.log(.error, "\(self): \(IOError(errnoCode: errno, reason: "epoll_wait"))")
                break
            }
            for i in 0..<Int(max(count, 0)) {
                let id = events[i].data.u64
                let mask = events[i].events
                if id == Self.wakeRegistration {
                    drainWakeDescriptor()
                } else if let selectable = confined.registrations[id] {
                    // A registration removed earlier in this batch is simply skipped.
                    selectable.handleEvents(mask)
                }
            }
            runDueTimers()
            let (tasks, stopping) = shared.withLock { state in
                let tasks = state.tasks
                state.tasks.removeAll(keepingCapacity: true)
                state.wakePending = false
                return (tasks, state.lifecycle == .shuttingDown)
            }
            for task in tasks { task() }
            runDeferredFlushes()
            if stopping { break }
        }
        for selectable in Array(confined.registrations.values) { selectable.eventLoopClosing() }
        confined.registrations.removeAll()
        confined.deferredFlushes.removeAll()
        confined.timers.removeAll()
        // Work submitted from now on is dropped; what was queued is released here.
        let dropped = shared.withLock { state in
            state.lifecycle = .stopped
            let tasks = state.tasks
            state.tasks.removeAll()
            return tasks
        }
        _ = dropped
    }

    private func waitTimeout() -> Int32 {
        guard let deadline = confined.timers.nextDeadline() else { return -1 }
        let now = Syscall.monotonicNanoseconds()
        if deadline <= now { return 0 }
        // Round up so a timer never fires early.
        let ms = (deadline - now + 999_999) / 1_000_000
        return ms > UInt64(Int32.max) ? Int32.max : Int32(ms)
    }

    private func runDueTimers() {
        let now = Syscall.monotonicNanoseconds()
        let limit = confined.timers.upcomingID
        while let callback = confined.timers.popDue(now: now, idLimit: limit) {
            callback()
        }
    }

    private func drainWakeDescriptor() {
        var value: UInt64 = 0
        let fd = wakeDescriptor
        _ = try? Syscall.nonBlocking("read(eventfd)") { Glibc.read(fd, &value, 8) }
    }
}
