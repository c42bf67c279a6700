import CLinux
import CollabPostgres
import CollabStorage
import Dispatch
import Foundation
import Synchronization

/// The storage thread of a node whose op log is PostgreSQL: whatever the rooms have waiting
/// goes into one transaction (group commit), and a request completes only after COMMIT returned.
///
/// One document's version conflict (another node took the version first) or duplicate fails
/// that document's requests alone: they leave the group and the rest is written again. When the
/// connection breaks the outcome of a commit in flight is unknown, so the writer reconnects and
/// looks: if the group's first op is stored, the group committed; if not, it is written again.
/// While PostgreSQL stays unreachable it keeps trying for `retryWindow` (the requests stay
/// unanswered: nothing is acknowledged that might not be stored, and nothing is refused that
/// might be), then fails them with `.database` (outcome unknown: the client resubmits, and
/// exactly-once sorts it out). While idle it probes the connection every `probeInterval`, so
/// `isHealthy` turns false within about that time of PostgreSQL going away.
public final class PostgresCommitWriter: OpLogWriter {
    /// How the writer connects and reports.
    public struct Configuration: Sendable {
        /// The database.
        public var database: PostgresConfiguration
        /// The migrations applied at start (under the migrators' advisory lock).
        public var migrator: PostgresMigrator = .embedded
        /// Most requests in one transaction (default 1,000).
        public var maxGroupSize = 1_000
        /// How long a group is retried while PostgreSQL cannot be reached (default 10 s).
        public var retryWindow: Duration = .seconds(10)
        /// Between connection probes while idle (default 1 s).
        public var probeInterval: Duration = .seconds(1)
        /// Called on the storage thread after each transaction, before its completions (metrics).
        public var onCommit: (@Sendable (CommitReport) -> Void)?
        /// Called on the storage thread with the records a transaction stored, before their
        /// completions (fan-out to other nodes). Must return quickly.
        public var onStored: (@Sendable ([OpRecord]) -> Void)?
        /// The round trip of the start's and each idle probe's one-row query, for the metrics.
        public var onProbe: (@Sendable (Duration) -> Void)?
        /// Connection lost and regained, for the log.

        public var log: @Sendable (String) -> Void = { _ in }

        /// The defaults, for `database`.
        public init(database: PostgresConfiguration) {
            self.database = database
        }
    }

    /// Counters since start.
    public struct Statistics: Equatable, Sendable {
        /// Transactions committed.
        public var commits = 0
        /// Ops in committed requests.
        public var opsCommitted = 0
        /// Requests that failed.
        public var requestsFailed = 0
        /// Requests failed by a version conflict (another writer first).
        public var versionConflicts = 0
        /// Groups written again after a lost connection or an isolated failure.
        public var retries = 0
        /// Lost commits found committed after reconnecting.
        public var recoveredCommits = 0
    }

    private typealias Request = CommitRequest

    private struct State: CommitQueueState {
        var queue: [Request] = []
        var writerParked = false
        var closing = false
        var storageThread: pthread_t?
        var statistics = Statistics()
    }

    private final class Shared: Sendable {
        let requests = CommitQueue(State())
        let healthy = Atomic<Bool>(true)
        /// PostgreSQL's clock minus this machine's, in milliseconds.
        let clockOffset = Atomic<Int64>(0)
    }

    private let shared: Shared
    /// The configuration it was started with.
    public let configuration: Configuration

    /// Connects, applies pending migrations and starts the storage thread; throws if PostgreSQL
    /// cannot be reached or its schema is newer than this binary's.
    public init(configuration: Configuration) throws(StorageError) {
        self.configuration = configuration
        let store = try PostgresOpStore.open(configuration.database, migrator: configuration.migrator)
        do {
            try store.connection.query(Self.sessionSetup[0])
        } catch {
            store.close()
            throw PostgresOpStore.storageError(error)
        }
        let shared = Shared()
        self.shared = shared
        let started = ContinuousClock.now
        if let offset = try? Self.measureClockOffset(store) {
            configuration.onProbe?(ContinuousClock.now - started)
            shared.clockOffset.store(offset, ordering: .relaxed)
        }
        // The connection moves to the storage thread and is used only there from now on.
        let link = ReconnectingPostgresOpStore(configuration: configuration.database, store: store, cooldown: .zero)
        link.sessionSetup = Self.sessionSetup
        let handoff = Handoff(link)
        let thread = Thread {
            _ = pthread_setname_np(pthread_self(), "collab-pg-writer")
            shared.requests.enterStorageThread()
            Self.run(shared: shared, link: handoff.take(), configuration: configuration)
            shared.requests.stopped()
        }
        thread.start()
    }

    /// An ack promises the op survives a crash of PostgreSQL: COMMIT must wait for the WAL
    /// flush whatever the server's default (`synchronous_commit = off` would lose acked ops).
    static let sessionSetup = ["SET synchronous_commit = on"]

    /// Carries the not-Sendable store to the storage thread, which becomes its only user.
    private final class Handoff: @unchecked Sendable {
        // Unchecked: written once before the thread starts and read once by that thread.
        private var store: ReconnectingPostgresOpStore?
        init(_ store: ReconnectingPostgresOpStore) { self.store = store }
        func take() -> ReconnectingPostgresOpStore {
            defer { store = nil }
            return store!
        }
    }

    deinit {
        close()
    }

    // MARK: - Submitting

    /// See `OpLogWriter.append`.
    public func append(_ records: [OpRecord], resync: Bool = false,
                       completion: @escaping @Sendable (Result<Void, StorageError>) -> Void) {
        submit(.append(records, resync: resync, completion))
    }

    /// See `OpLogWriter.saveSnapshot`.
    public func saveSnapshot(_ snapshot: Snapshot,
                             completion: @escaping @Sendable (Result<Void, StorageError>) -> Void) {
        submit(.snapshot(snapshot, completion))
    }

    private func submit(_ request: Request) {
        shared.requests.submit(request)
    }

    /// PostgreSQL's clock minus this machine's, in milliseconds (measured at start and by each
    /// idle probe): ops stamped with `now + offset` carry PostgreSQL's time, one timeline for
    /// every node of a cluster whatever their clocks say.
    public var clockOffsetMilliseconds: Int64 { shared.clockOffset.load(ordering: .relaxed) }

    /// Whether PostgreSQL answered the latest commit or probe.
    public var isHealthy: Bool { shared.healthy.load(ordering: .relaxed) }

    /// Counters since start.
    public var statistics: Statistics { shared.requests.state.withLock { $0.statistics } }

    /// Refuses new requests, commits everything queued (retrying within `retryWindow`) and
    /// stops. From a completion it only starts the shutdown.
    public func close() {
        shared.requests.close()
    }

    // MARK: - The storage thread

    private static func run(shared: Shared, link: ReconnectingPostgresOpStore, configuration: Configuration) {
        let maxGroupSize = max(1, configuration.maxGroupSize)
        var fence: Set<String> = []
        var sessions = Sessions()
        while true {
            enum Next { case commit([Request]), park, stop }
            let next = shared.requests.state.withLock { state -> Next in
                if !state.queue.isEmpty {
                    let count = min(maxGroupSize, state.queue.count)
                    let batch = Array(state.queue.prefix(count))
                    state.queue.removeFirst(count)
                    return .commit(batch)
                }
                if state.closing { return .stop }
                state.writerParked = true
                return .park
            }
            switch next {
            case .stop:
                link.close()
                return
            case .park:
                if !shared.requests.park(timeout: configuration.probeInterval) {
                    probe(link, shared: shared, configuration: configuration)
                }
            case .commit(let batch):
                let results = commit(batch, link: link, fence: &fence, sessions: &sessions, shared: shared,
                                     configuration: configuration)
                for (request, result) in zip(batch, results) {
                    request.completion(result)
                }
            }
        }
    }

    private static func probe(_ link: ReconnectingPostgresOpStore, shared: Shared, configuration: Configuration) {
        do throws(StorageError) {
            let store = try link.connected()
            let started = ContinuousClock.now
            let offset = try measureClockOffset(store)
            configuration.onProbe?(ContinuousClock.now - started)
            shared.clockOffset.store(offset, ordering: .relaxed)
            setHealthy(true, shared: shared, configuration: configuration)
        } catch {
            link.disconnect()
            setHealthy(false, shared: shared, configuration: configuration, reason: error.description)
        }
    }

    /// PostgreSQL's `clock_timestamp()` minus the local time halfway through the round trip, in ms.
    private static func measureClockOffset(_ store: PostgresOpStore) throws(StorageError) -> Int64 {
        let before = Date().timeIntervalSince1970 * 1000
        let rows = try store.rows("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint", [])
        let after = Date().timeIntervalSince1970 * 1000
        guard let row = rows.first else { throw .database(code: nil, message: "no row for clock_timestamp()") }
        return try PostgresOpStore.int64(row, 0) - Int64(((before + after) / 2).rounded())
    }

    private static func setHealthy(_ healthy: Bool, shared: Shared, configuration: Configuration, reason: String = "") {
        let was = shared.healthy.exchange(healthy, ordering: .relaxed)
        guard was != healthy else { return }
        configuration.log(healthy ? "PostgreSQL reachable again" : "PostgreSQL unreachable: \(reason)")
    }

    /// Writes the batch's appends in one transaction (isolating conflicts, duplicates and
    /// refusals, retrying through lost connections), then its snapshots; each request's result.
    private static func commit(_ batch: [Request], link: ReconnectingPostgresOpStore, fence: inout Set<String>,
                               sessions: inout Sessions, shared: Shared,
                               configuration: Configuration) -> [Result<Void, StorageError>] {
        let clock = ContinuousClock()
        let start = clock.now
        var results = [Result<Void, StorageError>](repeating: .success(()), count: batch.count)
        var live: [LiveRequest] = []
        for (index, request) in batch.enumerated() {
            guard case .append(let records, let resync, _) = request, let first = records.first else { continue }
            if resync {
                fence.remove(first.doc)
            } else if fence.contains(first.doc) {
                // Built on an append that failed: refused without writing (the stored version
                // is read for the message only; -1 if it cannot be).
                let stored = (try? link.connected().currentVersion(doc: first.doc)) ?? -1
                results[index] = .failure(.versionConflict(doc: first.doc, expected: stored, found: first.version))
                continue
            }
            live.append((index, records, resync))
        }
        var stats = Statistics()
        let deadline = start + configuration.retryWindow
        var backoff = Duration.milliseconds(50)
        var committed = false
        while !live.isEmpty {
            do throws(StorageError) {
                let store = try link.connected()
                if !sessions.unsettled.isEmpty {
                    // A lost connection may have been committing: end its session first, so its
                    // COMMIT has landed or never will, then look. A request whose first op is
                    // stored at its version landed; the others are written again.
                    for session in sessions.unsettled { try store.end(session) }
                    sessions.unsettled = []
                    var landed: Set<Int> = []
                    for entry in live {
                        guard let first = entry.records.first,
                              try store.op(doc: first.doc, clientId: first.clientId, seq: first.seq)?.version
                                == first.version else { continue }
                        landed.insert(entry.index)
                    }
                    if !landed.isEmpty {
                        live.removeAll { landed.contains($0.index) }
                        stats.recoveredCommits += 1
                        committed = true
                    }
                    setHealthy(true, shared: shared, configuration: configuration)
                    continue
                }
                if sessions.writing?.store != ObjectIdentifier(store) {
                    sessions.writing = (ObjectIdentifier(store), try store.serverSession())
                }
                let refused = try store.appendSkippingRefused(live.flatMap(\.records))
                committed = true
                setHealthy(true, shared: shared, configuration: configuration)
                live = settle(refused, of: live, results: &results, fence: &fence, stats: &stats)
                stats.retries += live.isEmpty ? 0 : 1
            } catch {
                if link.isConnected && !isConnectionLoss(error) && sessions.unsettled.isEmpty {
                    // A refusal with a SQLSTATE: write each request alone to find whose it is.
                    for entry in live {
                        do throws(StorageError) {
                            try link.connected().append(entry.records)
                            committed = true
                        } catch {
                            results[entry.index] = .failure(error)
                        }
                    }
                    live.removeAll()
                    break
                }
                // The connection is gone: a COMMIT on it may or may not have landed.
                if let writing = sessions.writing { sessions.unsettled.insert(writing.session) }
                sessions.writing = nil
                link.disconnect()
                setHealthy(false, shared: shared, configuration: configuration, reason: error.description)
                if clock.now >= deadline {
                    for entry in live { results[entry.index] = .failure(error) }
                    live.removeAll()
                    break
                }
                Thread.sleep(forTimeInterval: backoff.timeInterval)
                backoff = min(backoff * 2, .seconds(1))
                stats.retries += 1
            }
        }
        var stored: [OpRecord] = []
        var ops = 0
        for (index, request) in batch.enumerated() {
            guard case .append(let records, _, _) = request, case .success = results[index] else { continue }
            stored.append(contentsOf: records)
            ops += records.count
        }
        // Snapshots after the ops they describe.
        for (index, request) in batch.enumerated() {
            guard case .snapshot(let snapshot, _) = request else { continue }
            do throws(StorageError) {
                try link.withStore { store throws(StorageError) in try store.saveSnapshot(snapshot) }
            } catch {
                results[index] = .failure(error)
            }
        }
        let failed = results.filter { if case .failure = $0 { true } else { false } }.count
        configuration.onCommit?(CommitReport(requests: batch.count, ops: ops, failedRequests: failed,
                                             duration: clock.now - start))
        if !stored.isEmpty { configuration.onStored?(stored) }
        shared.requests.state.withLock { state in
            if committed { state.statistics.commits += 1 }
            state.statistics.opsCommitted += ops
            state.statistics.requestsFailed += failed
            state.statistics.versionConflicts += stats.versionConflicts
            state.statistics.retries += stats.retries
            state.statistics.recoveredCommits += stats.recoveredCommits
        }
        return results
    }

    /// After a transaction that stored everything but the `refused` documents: fails their
    /// requests (a conflict fails the document's chain from the conflicting request on, up to
    /// a request that starts a new chain, and fences it; a duplicate fails its request) and
    /// returns those of them still to write (rare: around the failed ones), in batch order.
    private static func settle(_ refused: [String: StorageError], of live: [LiveRequest],
                               results: inout [Result<Void, StorageError>], fence: inout Set<String>,
                               stats: inout Statistics) -> [LiveRequest] {
        guard !refused.isEmpty else { return [] }
        var again: [LiveRequest] = []
        for (doc, refusal) in refused {
            let entries = live.filter { $0.records.first?.doc == doc }
            switch refusal {
            case .versionConflict(_, _, let found):
                fence.insert(doc)
                let at = entries.firstIndex { $0.records.contains { $0.version == found } } ?? 0
                var chainEnded = false
                for (position, entry) in entries.enumerated() {
                    if position > at && entry.resync { chainEnded = true }
                    if position < at || chainEnded {
                        again.append(entry)
                    } else {
                        results[entry.index] = .failure(refusal)
                        stats.versionConflicts += 1
                    }
                }
            case .duplicate(_, let clientId, let seq):
                let at = entries.firstIndex { $0.records.contains { $0.clientId == clientId && $0.seq == seq } }
                for (position, entry) in entries.enumerated() {
                    if position == at {
                        results[entry.index] = .failure(refusal)
                    } else {
                        again.append(entry)
                    }
                }
            default:
                for entry in entries { results[entry.index] = .failure(refusal) }
            }
        }
        return again.sorted { $0.index < $1.index }
    }

    /// The writer's PostgreSQL sessions: the one it writes on, and those whose connection was
    /// lost while they may have been committing (ended before anything is written again).
    private struct Sessions {
        var writing: (store: ObjectIdentifier, session: PostgresServerSession)?
        var unsettled: Set<PostgresServerSession> = []
    }

    /// An append request of a batch still to write: its place in the batch, its records, and
    /// whether it starts a new chain.
    private typealias LiveRequest = (index: Int, records: [OpRecord], resync: Bool)

    /// Whether `error` means the connection (not the statement) failed: no SQLSTATE, or a
    /// connection-exception (08), operator-intervention (57) or system (58) class.
    private static func isConnectionLoss(_ error: StorageError) -> Bool {
        guard case .database(let code, _) = error else { return false }
        guard let code else { return true }
        return code.hasPrefix("08") || code.hasPrefix("57") || code.hasPrefix("58")
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    fileprivate var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
