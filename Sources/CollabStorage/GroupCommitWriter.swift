import CLinux
import Dispatch
import Foundation

/// The storage thread: owns the write connection and commits whatever is waiting in one
/// transaction; a `WALSyncer` then makes it durable (one fsync, possibly for several commits)
/// and runs the completions in submission order, while the next group is being written.
///
/// Any thread may submit. A duplicate or a version conflict fails that request alone (the group
/// is then rewritten with a savepoint per request); a failed `COMMIT` or sync fails the whole
/// group. Completions run on the writer's threads (the sync thread, or the storage thread when
/// it syncs inline) and must return quickly (hop to the caller's own thread).
///
/// While requests arrive faster than one per `commitDelay`, the writer lets the oldest waiting
/// request wait up to `commitDelay` before it commits, so one fsync serves several (like
/// PostgreSQL's `commit_delay`); at lower rates every request commits at once.
public final class GroupCommitWriter: Sendable {
    /// How the writer opens and reports.
    public struct Configuration: Sendable {
        /// The database file (created and migrated if needed).
        public var path: String
        /// The migrations applied at start.
        public var migrator: Migrator = .embedded
        /// Ops between snapshots, for callers deciding when to `saveSnapshot` (default 1,000).
        public var snapshotInterval: Int = 1_000
        /// Most requests in one transaction. A backlog is committed in chunks of this size so the
        /// first acks are not held back by the whole backlog's writing (default 1,000).
        public var maxGroupSize: Int = 1_000
        /// How long the oldest waiting request may wait for others to join its commit, when
        /// requests arrive more often than this (default 2 ms; zero: never wait).
        public var commitDelay: Duration = .milliseconds(2)
        /// WAL pages after which a commit checkpoints (default 10,000, about 40 MiB: SQLite's
        /// 1,000 rewrote each document's hot pages into the database file every few commits,
        /// keeping the disk busy 3× longer for the same ops).
        public var checkpointPages: Int = 10_000
        /// Called on the storage thread after each transaction, before its completions (metrics).
        public var onCommit: (@Sendable (CommitReport) -> Void)?

        /// A configuration with defaults for everything but the path.
        public init(path: String) {
            self.path = path
        }
    }

    /// Counters since start.
    public struct Statistics: Equatable, Sendable {
        /// Transactions committed.
        public var commits = 0
        /// Ops in committed, successful requests.
        public var opsCommitted = 0
        /// Requests completed, successfully or not.
        public var requestsCompleted = 0
        /// Requests that failed.
        public var requestsFailed = 0
        /// Requests in the latest transaction.
        public var lastGroupSize = 0
        /// Most requests seen in one transaction.
        public var largestGroupSize = 0

        /// All zero.
        public init() {}
    }

    private typealias Request = CommitRequest

    /// Documents whose last append failed with a version conflict. Their appends already
    /// queued behind it were made on top of the failed one, so they fail too — even one whose
    /// first version happens to fit what another writer stored — until an append marked
    /// `resync` (made after catching up) starts a new chain. Storage thread only.
    private final class ConflictFence {
        var documents: Set<String> = []
    }

    private struct State: CommitQueueState {
        var queue: [Request] = []
        var writerParked = false
        var closing = false
        var storageThread: pthread_t?
        var statistics = Statistics()
        var openError: StorageError?
        /// When the oldest queued request arrived (meaningful while one is queued).
        var oldestQueuedAt = ContinuousClock.now
        /// When the latest request arrived, the gap before it, and a moving average of gaps
        /// (nil until two requests have arrived).
        var lastArrivalAt: ContinuousClock.Instant?
        var lastGap: Duration?
        var averageGap: Duration?
    }

    /// What the storage thread and submitters share (the thread does not retain the writer,
    /// so dropping the writer can close it).
    private final class Shared: Sendable {
        let requests = CommitQueue(State())
        let syncer: WALSyncer

        init(path: String) {
            syncer = WALSyncer(walPath: path == ":memory:" || path.isEmpty ? nil : path + "-wal")
        }
    }

    private let shared: Shared
    /// The configuration it was started with.
    public let configuration: Configuration

    /// Opens (creating and migrating if needed) the database and starts the storage thread.
    public init(configuration: Configuration) throws(StorageError) {
        self.configuration = configuration
        let shared = Shared(path: configuration.path)
        self.shared = shared
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread {
            // Foundation's `Thread.name` does not reach the OS thread name on Linux.
            _ = pthread_setname_np(pthread_self(), "collab-storage")
            let store: SQLiteOpStore
            do throws(StorageError) {
                store = try SQLiteOpStore.openForWriting(path: configuration.path,
                                                         migrator: configuration.migrator)
                // COMMIT writes the WAL without an fsync; the WALSyncer's fdatasync makes it
                // durable before any completion runs (see WALSyncer).
                do throws(SQLiteError) {
                    try store.database.execute("PRAGMA synchronous=NORMAL")
                    try store.database.execute("PRAGMA wal_autocheckpoint=\(max(1, configuration.checkpointPages))")
                } catch {
                    throw StorageError.sqlite(error)
                }
            } catch {
                shared.requests.state.withLock { $0.openError = error }
                shared.syncer.close()
                ready.signal()
                shared.requests.stopped()
                return
            }
            shared.requests.enterStorageThread()
            ready.signal()
            Self.run(shared: shared, store: store, maxGroupSize: max(1, configuration.maxGroupSize),
                     commitDelay: configuration.commitDelay, onCommit: configuration.onCommit)
            // Every commit made durable and completed before the WAL is folded away.
            shared.syncer.close()
            // Fold the WAL back into the database so a stopped server leaves one file.
            _ = try? store.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shared.requests.stopped()
        }
        thread.start()
        ready.wait()
        if let error = shared.requests.state.withLock({ $0.openError }) {
            throw error
        }
    }

    deinit {
        close()
    }

    // MARK: - Submitting

    /// Queues `records` for the next group commit; `completion` runs once it is durable or failed.
    /// After `close()`, completes at once, on the calling thread, with `.closed`.
    ///
    /// Once an append of a document fails with `.versionConflict`, its later appends fail the
    /// same way until one comes with `resync` (the writer's first append of a document after
    /// loading it or catching up), so a chain of outstanding appends never lands half.
    public func append(_ records: [OpRecord], resync: Bool = false,
                       completion: @escaping @Sendable (Result<Void, StorageError>) -> Void) {
        submit(.append(records, resync: resync, completion))
    }

    /// Queues a snapshot write, committed in order with the appends around it.
    public func saveSnapshot(_ snapshot: Snapshot,
                             completion: @escaping @Sendable (Result<Void, StorageError>) -> Void) {
        submit(.snapshot(snapshot, completion))
    }

    private func submit(_ request: Request) {
        let now = ContinuousClock.now
        shared.requests.submit(request) { state in
            if state.queue.isEmpty { state.oldestQueuedAt = now }
            if let last = state.lastArrivalAt {
                // An exponential moving average (1/8 weight); the first gap seeds it.
                let gap = now - last
                state.lastGap = gap
                state.averageGap = state.averageGap.map { $0 - $0 / 8 + gap / 8 } ?? gap
            }
            state.lastArrivalAt = now
        }
    }

    /// Counters since start.
    public var statistics: Statistics {
        shared.requests.state.withLock { $0.statistics }
    }

    /// Refuses new requests, commits everything already queued, checkpoints the WAL and stops
    /// the storage thread; returns when it has stopped. Safe to call more than once. Called from
    /// a completion (on a writer thread) it only starts the shutdown, and returns at once.
    public func close() {
        shared.requests.close(waits: !shared.syncer.isCurrentThread)
    }

    // MARK: - The storage thread

    private static func run(shared: Shared, store: SQLiteOpStore, maxGroupSize: Int, commitDelay: Duration,
                            onCommit: (@Sendable (CommitReport) -> Void)?) {
        var batch: [Request] = []
        let fence = ConflictFence()
        while true {
            enum Next { case commit, park, stop, wait(Duration) }
            let now = ContinuousClock.now
            let next = shared.requests.state.withLock { state -> Next in
                if let wait = delay(state, now: now, commitDelay: commitDelay, maxGroupSize: maxGroupSize) {
                    return .wait(wait)
                }
                if state.queue.count > maxGroupSize {
                    batch.append(contentsOf: state.queue.prefix(maxGroupSize))
                    state.queue.removeFirst(maxGroupSize)
                    return .commit
                }
                if !state.queue.isEmpty {
                    swap(&batch, &state.queue)
                    return .commit
                }
                if state.closing {
                    return .stop
                }
                state.writerParked = true
                return .park
            }
            switch next {
            case .park:
                shared.requests.park()
            case .wait(let duration):
                let (seconds, attoseconds) = duration.components
                Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) * 1e-18)
            case .stop:
                return
            case .commit:
                let results = commit(batch, shared: shared, store: store, fence: fence, onCommit: onCommit)
                let requests = batch
                let complete: WALSyncer.Work = { syncError in
                    for (request, result) in zip(requests, results) {
                        if case .success = result, let syncError {
                            request.completion(.failure(syncError))
                        } else {
                            request.completion(result)
                        }
                    }
                }
                // A next group ready to commit: the sync thread flushes while it is written.
                // Otherwise (nothing waiting, or the next group will wait for the commit delay
                // anyway) sync here rather than wake a thread for nothing to overlap with.
                let after = ContinuousClock.now
                let nextIsReady = shared.requests.state.withLock { state in
                    !state.queue.isEmpty
                        && delay(state, now: after, commitDelay: commitDelay, maxGroupSize: maxGroupSize) == nil
                }
                if nextIsReady || !shared.syncer.runNowIfIdle(complete) {
                    shared.syncer.submit(complete)
                }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    /// How long the oldest queued request should still wait for others to join its commit, if
    /// at all: when requests are arriving fast enough that more will join. A backlog that
    /// already waited through a commit goes at once; so does the first request after a lull,
    /// which the moving average is slow to notice.
    private static func delay(_ state: State, now: ContinuousClock.Instant, commitDelay: Duration,
                              maxGroupSize: Int) -> Duration? {
        guard !state.queue.isEmpty, !state.closing, state.queue.count < maxGroupSize,
              let averageGap = state.averageGap, averageGap < commitDelay,
              let lastGap = state.lastGap, lastGap < commitDelay else { return nil }
        let waited = now - state.oldestQueuedAt
        return waited < commitDelay ? commitDelay - waited : nil
    }

    /// Writes `batch` in one transaction; returns each request's result.
    private static func commit(_ batch: [Request], shared: Shared, store: SQLiteOpStore, fence: ConflictFence,
                               onCommit: (@Sendable (CommitReport) -> Void)?)
        -> [Result<Void, StorageError>] {
        let database = store.database
        let clock = ContinuousClock()
        let start = clock.now
        var results: [Result<Void, StorageError>]
        var committed = false
        do throws(StorageError) {
            // Optimistically without savepoints (two statements per request saved); a request
            // that fails undoes the attempt, and the group is written again, isolated.
            if let written = try write(batch, store: store, fence: fence, isolated: false) {
                results = written
            } else if let written = try write(batch, store: store, fence: fence, isolated: true) {
                results = written
            } else {
                // `isolated` always answers; should it not, fail the group rather than drop it.
                throw StorageError.sqlite(SQLiteError(extendedCode: .misuse, message: "isolated write gave no results"))
            }
            try sqlite { () throws(SQLiteError) in try database.commit() }
            committed = true
        } catch {
            try? database.rollback()
            results = [Result](repeating: .failure(error), count: batch.count)
        }
        let duration = clock.now - start
        var ops = 0
        var failed = 0
        for (request, result) in zip(batch, results) {
            switch result {
            case .success: ops += request.opCount
            case .failure: failed += 1
            }
        }
        onCommit?(CommitReport(requests: batch.count, ops: ops, failedRequests: failed, duration: duration))
        // Statistics are updated before completions run, so a completion sees its own commit counted.
        shared.requests.state.withLock { state in
            if committed {
                state.statistics.commits += 1
            }
            state.statistics.opsCommitted += ops
            state.statistics.requestsCompleted += batch.count
            state.statistics.requestsFailed += failed
            state.statistics.lastGroupSize = batch.count
            state.statistics.largestGroupSize = max(state.statistics.largestGroupSize, batch.count)
        }
        return results
    }

    /// Begins a transaction and writes `batch` into it (the caller commits); returns each
    /// request's result. Not `isolated`, the first failing request rolls everything back and
    /// the answer is nil; `isolated`, a savepoint per request confines a failure to it.
    private static func write(_ batch: [Request], store: SQLiteOpStore, fence: ConflictFence, isolated: Bool)
        throws(StorageError) -> [Result<Void, StorageError>]? {
        // The fence as it was, for the isolated rewrite after an optimistic attempt.
        let fenced = fence.documents
        let database = store.database
        var results = [Result<Void, StorageError>](repeating: .success(()), count: batch.count)
        try sqlite { () throws(SQLiteError) in try database.begin(.immediate) }
        var opLog = OpLogBatch()
        for (index, request) in batch.enumerated() {
            if isolated {
                try sqlite { () throws(SQLiteError) in try database.cachedStatement("SAVEPOINT request").run() }
            }
            do throws(StorageError) {
                switch request {
                case .append(let records, let resync, _):
                    if let first = records.first {
                        if resync {
                            fence.documents.remove(first.doc)
                        } else if fence.documents.contains(first.doc) {
                            let stored = (try? store.currentVersion(doc: first.doc)) ?? 0
                            throw StorageError.versionConflict(doc: first.doc, expected: stored, found: first.version)
                        }
                    }
                    do throws(StorageError) {
                        try store.insert(records, into: &opLog)
                    } catch .versionConflict(let doc, let expected, let found) {
                        fence.documents.insert(doc)
                        throw .versionConflict(doc: doc, expected: expected, found: found)
                    }
                case .snapshot(let snapshot, _): try store.insert(snapshot)
                }
            } catch {
                // SQLite ends the transaction itself after some failures (I/O, disk full):
                // then everything before this request is gone too.
                guard database.isInTransaction else { throw error }
                guard isolated else {
                    try sqlite { () throws(SQLiteError) in try database.rollback() }
                    fence.documents = fenced
                    return nil
                }
                results[index] = .failure(error)
                try sqlite { () throws(SQLiteError) in
                    try database.cachedStatement("ROLLBACK TO SAVEPOINT request").run()
                }
            }
            if isolated {
                try sqlite { () throws(SQLiteError) in
                    try database.cachedStatement("RELEASE SAVEPOINT request").run()
                }
            }
        }
        try store.flush(opLog)
        return results
    }

    private static func sqlite(_ body: () throws(SQLiteError) -> Void) throws(StorageError) {
        do {
            try body()
        } catch {
            throw .sqlite(error)
        }
    }
}
