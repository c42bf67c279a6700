import CLinux
import Dispatch
import Foundation
import Synchronization

/// Makes committed WAL frames durable on a thread of its own and then runs the commits'
/// completions in order, so the storage thread writes the next group while the disk flushes
/// the last one (pipelined group commit).
///
/// The write connection runs with `synchronous=NORMAL`: a `COMMIT` writes its frames into the
/// WAL file without an fsync, and this thread's `fdatasync` of that file (an fsync flushes the
/// file, whichever descriptor wrote it) is what makes them durable; completions, and so acks,
/// run only after it. Checkpoints stay safe: in NORMAL mode SQLite syncs the WAL before it
/// copies frames into the database and the database after.
final class WALSyncer: Sendable {
    /// Runs once the frames committed before it are durable; gets the sync's error, if any.
    typealias Work = @Sendable (StorageError?) -> Void

    private struct State: Sendable {
        var pending: [Work] = []
        var parked = false
        /// The thread is syncing or running completions.
        var busy = false
        var closing = false
        var thread: pthread_t?
        /// The WAL file, opened on first sync (it exists once a commit wrote to it).
        var descriptor: CInt = -1
    }

    /// What the thread and callers share (the thread does not retain the syncer).
    private final class Shared: Sendable {
        let state = Mutex(State())
        let wakeup = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
    }

    private let shared = Shared()
    private let walPath: String?

    /// Starts the thread; `walPath` nil (an in-memory database) skips the sync.
    init(walPath: String?) {
        self.walPath = walPath
        let shared = self.shared
        let thread = Thread {
            _ = pthread_setname_np(pthread_self(), "collab-walsync")
            shared.state.withLock { $0.thread = pthread_self() }
            Self.run(walPath: walPath, shared: shared)
            shared.finished.signal()
        }
        thread.start()
    }

    /// Queues `work` to run after the next sync (call after the `COMMIT` it is about returned;
    /// not after `close()`).
    func submit(_ work: @escaping Work) {
        let wake = shared.state.withLock { state -> Bool in
            state.pending.append(work)
            guard state.parked else { return false }
            state.parked = false
            return true
        }
        if wake { shared.wakeup.signal() }
    }

    /// Syncs and runs `work` on the calling thread if nothing is queued or running here (so
    /// completions stay in order), saving a thread hand-off when commits are far apart; false
    /// if the syncer is busy and `work` was not run. Call from the one thread that submits.
    func runNowIfIdle(_ work: Work) -> Bool {
        let idle = shared.state.withLock { state -> Bool in
            guard state.pending.isEmpty, !state.busy, !state.closing else { return false }
            state.busy = true
            return true
        }
        guard idle else { return false }
        work(walPath.flatMap { Self.sync(path: $0, shared: shared) })
        shared.state.withLock { $0.busy = false }
        return true
    }

    /// Whether the caller is this syncer's thread (where completions run).
    var isCurrentThread: Bool {
        shared.state.withLock { $0.thread }.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    /// Syncs and runs everything queued, then stops the thread; returns when it has stopped.
    func close() {
        let wake = shared.state.withLock { state -> Bool in
            state.closing = true
            guard state.parked else { return false }
            state.parked = false
            return true
        }
        if wake { shared.wakeup.signal() }
        shared.finished.wait()
        shared.finished.signal()  // let a second close() through
    }

    private static func run(walPath: String?, shared: Shared) {
        defer {
            let descriptor = shared.state.withLock { $0.descriptor }
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
        }
        var work: [Work] = []
        while true {
            enum Next { case sync, park, stop }
            let next = shared.state.withLock { state -> Next in
                if !state.pending.isEmpty {
                    swap(&work, &state.pending)
                    state.busy = true
                    return .sync
                }
                if state.closing { return .stop }
                state.parked = true
                return .park
            }
            switch next {
            case .park:
                shared.wakeup.wait()
            case .stop:
                return
            case .sync:
                let error = walPath.flatMap { sync(path: $0, shared: shared) }
                for item in work { item(error) }
                work.removeAll(keepingCapacity: true)
                shared.state.withLock { $0.busy = false }
            }
        }
    }

    /// `fdatasync` of the WAL file, opened on first use (it exists once a commit wrote to it).
    /// Only one thread syncs at a time (`busy`).
    private static func sync(path: String, shared: Shared) -> StorageError? {
        var descriptor = shared.state.withLock { $0.descriptor }
        if descriptor < 0 {
            descriptor = open(path, O_RDWR | O_CLOEXEC)
            if descriptor < 0 {
                return .sqlite(SQLiteError(extendedCode: .ioError,
                                           message: "cannot open \(path) to sync it: \(String(cString: strerror(errno)))"))
            }
            shared.state.withLock { $0.descriptor = descriptor }
        }
        while fdatasync(descriptor) != 0 {
            guard errno == EINTR else {
                return .sqlite(SQLiteError(extendedCode: .ioError,
                                           message: "fdatasync of \(path) failed: \(String(cString: strerror(errno)))"))
            }
        }
        return nil
    }
}
