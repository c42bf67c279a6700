import Dispatch
import Foundation
import Synchronization
import Testing
@testable import CollabStorage
import CollabTestSupport

/// Collects completion results from any thread.
final class Completions: Sendable {
    let results = Mutex<[String: [Result<Void, StorageError>]]>([:])
    let group = DispatchGroup()

    /// A completion that records its result under `key`.
    func completion(_ key: String) -> @Sendable (Result<Void, StorageError>) -> Void {
        group.enter()
        return { result in
            self.results.withLock { $0[key, default: []].append(result) }
            self.group.leave()
        }
    }

    func wait(seconds: Double = 30) -> Bool {
        group.wait(timeout: .now() + seconds) == .success
    }

    subscript(key: String) -> [Result<Void, StorageError>] {
        results.withLock { $0[key] ?? [] }
    }
}

@Suite struct GroupCommitWriterTests {
    @Test func manyThreadsCommitInGroupsAndCompleteOnceInVersionOrder() throws {
        let directory = try TemporaryDirectory()
        let reports = Mutex<[CommitReport]>([])
        var configuration = GroupCommitWriter.Configuration(path: directory.path())
        configuration.onCommit = { report in reports.withLock { $0.append(report) } }
        let writer = try GroupCommitWriter(configuration: configuration)

        let threadCount = 50, appendsPerThread = 100, docCount = 10
        final class DocumentCursor: Sendable {
            let next = Mutex(0)
        }
        let cursors = (0..<docCount).map { _ in DocumentCursor() }
        let completedOrder = Mutex<[Int: [Int]]>([:])
        let calls = Mutex<[String: Int]>([:])
        let failures = Mutex<[StorageError]>([])
        let done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        var threads: [Thread] = []
        for thread in 0..<threadCount {
            done.enter()
            let doc = thread % docCount
            let cursor = cursors[doc]
            threads.append(Thread {
                start.wait()
                // Like a client, each thread has one op in flight: it waits for the ack before
                // the next, so a group is whatever the other threads queued meanwhile.
                let acked = DispatchSemaphore(value: 0)
                for seq in 1...appendsPerThread {
                    done.enter()
                    // Taking the version and queueing under the document's lock is what a room's
                    // owning thread does: per document, submission order is version order.
                    cursor.next.withLock { next in
                        let version = next
                        next += 1
                        let op = OpRecord(doc: "doc-\(doc)", version: version, clientId: "client-\(thread)",
                                          seq: seq, user: "user-\(thread)", ts: Int64(version), length: version,
                                          opJSON: "[\(version),\"x\"]", deletedJSON: "[]")
                        writer.append([op]) { result in
                            if case .failure(let error) = result {
                                failures.withLock { $0.append(error) }
                            }
                            calls.withLock { $0["\(doc)/\(version)", default: 0] += 1 }
                            completedOrder.withLock { $0[doc, default: []].append(version) }
                            acked.signal()
                            done.leave()
                        }
                    }
                    acked.wait()
                }
                done.leave()
            })
        }
        threads.forEach { $0.start() }
        for _ in threads { start.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success)
        let statistics = writer.statistics
        writer.close()

        let total = threadCount * appendsPerThread
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(calls.withLock { $0.count } == total)
        #expect(calls.withLock { $0.values.allSatisfy { $0 == 1 } })
        let perDoc = total / docCount
        for doc in 0..<docCount {
            #expect(completedOrder.withLock { $0[doc] } == Array(0..<perDoc), "doc-\(doc) completed out of order")
        }
        #expect(statistics.opsCommitted == total)
        #expect(statistics.requestsCompleted == total)
        #expect(statistics.commits < total)
        #expect(statistics.largestGroupSize > 1)
        #expect(statistics.largestGroupSize <= threadCount)  // one op in flight per thread
        let committedReports = reports.withLock { $0 }
        #expect(committedReports.map(\.ops).reduce(0, +) == total)
        #expect(committedReports.count == statistics.commits)
        #expect(committedReports.contains { $0.requests > 1 })

        let reader = try SQLiteOpStore.openForReading(path: directory.path())
        for doc in 0..<docCount {
            #expect(try reader.documentInfo(doc: "doc-\(doc)")?.version == perDoc)
            #expect(try reader.documentInfo(doc: "doc-\(doc)")?.authorCount == threadCount / docCount)
            #expect(try reader.ops(doc: "doc-\(doc)", from: 0, limit: perDoc).map(\.version) == Array(0..<perDoc))
        }
    }

    @Test func aFailingRequestFailsAloneAndSnapshotsGoThroughTheWriter() throws {
        let directory = try TemporaryDirectory()
        let writer = try GroupCommitWriter(configuration: .init(path: directory.path()))
        let completions = Completions()
        writer.append([record("d", 0, seq: 1)], completion: completions.completion("first"))
        writer.append([record("d", 1, seq: 1)], completion: completions.completion("duplicate"))
        // The first record goes in before the second fails: the savepoint must undo it.
        writer.append([record("d", 1, seq: 7), record("d", 2, seq: 1)], completion: completions.completion("half"))
        writer.append([record("d", 1, seq: 2), record("e", 0)], completion: completions.completion("second"))
        writer.append([record("d", 5, seq: 3)], completion: completions.completion("gap"))
        writer.saveSnapshot(Snapshot(doc: "d", version: 2, text: "hi", createdAt: 0),
                            completion: completions.completion("snapshot"))
        #expect(completions.wait())
        writer.close()
        #expect(completions["first"].count == 1)
        #expect(throws: Never.self) { try completions["first"].first?.get() }
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "client-A", seq: 1)) {
            try completions["duplicate"].first?.get()
        }
        #expect(throws: StorageError.duplicate(doc: "d", clientId: "client-A", seq: 1)) {
            try completions["half"].first?.get()
        }
        #expect(throws: Never.self) { try completions["second"].first?.get() }
        #expect(throws: StorageError.versionConflict(doc: "d", expected: 2, found: 5)) {
            try completions["gap"].first?.get()
        }
        #expect(throws: Never.self) { try completions["snapshot"].first?.get() }
        let reader = try SQLiteOpStore.openForReading(path: directory.path())
        #expect(try reader.currentVersion(doc: "d") == 2)
        #expect(try reader.currentVersion(doc: "e") == 1)
        #expect(try reader.latestSnapshot(doc: "d", atOrBefore: nil)?.text == "hi")
        #expect(try reader.op(doc: "d", clientId: "client-A", seq: 7) == nil)
        #expect(writer.statistics.requestsFailed == 3)
    }

    @Test func closeDrainsQueuedWorkThenRefuses() throws {
        let directory = try TemporaryDirectory()
        var configuration = GroupCommitWriter.Configuration(path: directory.path())
        configuration.maxGroupSize = 64
        let writer = try GroupCommitWriter(configuration: configuration)
        let completions = Completions()
        for version in 0..<300 {
            writer.append([record("d", version)], completion: completions.completion("queued"))
        }
        writer.close()  // returns only after the queue is committed
        #expect(completions["queued"].count == 300)
        #expect(completions["queued"].allSatisfy { (try? $0.get()) != nil })
        #expect(writer.statistics.largestGroupSize <= 64)
        #expect(writer.statistics.commits >= 300 / 64)
        writer.append([record("d", 300)], completion: completions.completion("late"))
        #expect(completions["late"].count == 1)  // refused on the calling thread, at once
        #expect(throws: StorageError.closed) { try completions["late"].first?.get() }
        writer.close()  // a second close returns too

        // Checkpointed with TRUNCATE: the WAL is empty after a clean shutdown.
        let walSize = (try? FileManager.default.attributesOfItem(atPath: directory.path() + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0)
        // Durability smoke: reopen, everything is there.
        let store = try SQLiteOpStore.openForWriting(path: directory.path())
        #expect(try store.currentVersion(doc: "d") == 300)
        #expect(try store.ops(doc: "d", from: 299, limit: 5) == [record("d", 299)])
    }

    /// Requests arriving faster than the commit delay share one commit; ones arriving further
    /// apart than the delay commit at once.
    @Test func commitDelayGroupsFastArrivalsOnly() throws {
        let directory = try TemporaryDirectory()
        var configuration = GroupCommitWriter.Configuration(path: directory.path())
        configuration.commitDelay = .milliseconds(300)
        let writer = try GroupCommitWriter(configuration: configuration)
        defer { writer.close() }
        let completions = Completions()
        for version in 0..<20 {
            writer.append([record("fast", version)], completion: completions.completion("fast"))
        }
        #expect(completions.wait(seconds: 10))
        #expect(completions["fast"].allSatisfy { (try? $0.get()) != nil })
        // The first may commit alone (no gap measured yet); the other 19 wait for each other.
        #expect(writer.statistics.commits <= 2)
        #expect(writer.statistics.largestGroupSize >= 19)

        // Further apart than the delay: no waiting, each completes well before 300 ms.
        let clock = ContinuousClock()
        for version in 0..<3 {
            Thread.sleep(forTimeInterval: 0.4)
            let done = Completions()
            let start = clock.now
            writer.append([record("slow", version)], completion: done.completion("slow"))
            #expect(done.wait(seconds: 10))
            #expect(clock.now - start < .milliseconds(250))
        }
    }

    /// Requests one after another, each as soon as the previous completed: with a 50 ms delay
    /// the quick gaps make every other one wait; with zero none does.
    @Test func zeroCommitDelayNeverWaits() throws {
        func serialAppends(delay: Duration) throws -> (elapsed: Duration, commits: Int) {
            let directory = try TemporaryDirectory()
            var configuration = GroupCommitWriter.Configuration(path: directory.path())
            configuration.commitDelay = delay
            let writer = try GroupCommitWriter(configuration: configuration)
            defer { writer.close() }
            let clock = ContinuousClock()
            let start = clock.now
            for version in 0..<20 {
                let done = Completions()
                writer.append([record("d", version)], completion: done.completion("op"))
                #expect(done.wait(seconds: 10))
            }
            return (clock.now - start, writer.statistics.commits)
        }
        let undelayed = try serialAppends(delay: .zero)
        let delayed = try serialAppends(delay: .milliseconds(50))
        #expect(undelayed.commits == 20)
        #expect(delayed.elapsed >= .milliseconds(250))  // about 10 waits of up to 50 ms
        #expect(undelayed.elapsed * 4 < delayed.elapsed)
    }

    /// A completion reports success only after the writer's own fsync of the WAL: when that
    /// sync cannot happen (here the WAL file is unlinked before the first commit, so it cannot
    /// be opened to be synced) the append fails, though SQLite's COMMIT went through.
    @Test func noSuccessWithoutTheWALSync() throws {
        let directory = try TemporaryDirectory()
        let writer = try GroupCommitWriter(configuration: .init(path: directory.path()))
        defer { writer.close() }
        let walPath = directory.path() + "-wal"
        #expect(FileManager.default.fileExists(atPath: walPath))  // the migrations wrote it
        try FileManager.default.removeItem(atPath: walPath)
        let completions = Completions()
        writer.append([record("d", 0)], completion: completions.completion("op"))
        #expect(completions.wait(seconds: 10))
        let error = #expect(throws: StorageError.self) { try completions["op"].first?.get() }
        guard case .sqlite(let cause)? = error else {
            Issue.record("expected an I/O error, got \(String(describing: error))")
            return
        }
        #expect(cause.extendedCode == .ioError)
        #expect(cause.message.contains("-wal"))
    }

    @Test func closeFromACompletionDoesNotDeadlock() throws {
        let directory = try TemporaryDirectory()
        let writer = try GroupCommitWriter(configuration: .init(path: directory.path()))
        let completions = Completions()
        let inner = completions.completion("op")
        writer.append([record("d", 0)]) { result in
            writer.close()  // on the storage thread: starts the shutdown, returns at once
            inner(result)
        }
        #expect(completions.wait(seconds: 10))
        writer.close()
        #expect(throws: Never.self) { try completions["op"].first?.get() }
        let store = try SQLiteOpStore.openForReading(path: directory.path())
        #expect(try store.currentVersion(doc: "d") == 1)
    }

    @Test func readerSeesCommittedDataWhileWriterRuns() throws {
        let directory = try TemporaryDirectory()
        let writer = try GroupCommitWriter(configuration: .init(path: directory.path()))
        defer { writer.close() }
        let reader = try SQLiteOpStore.openForReading(path: directory.path())
        for version in 0..<5 {
            let completions = Completions()
            writer.append([record("d", version)], completion: completions.completion("op"))
            #expect(completions.wait())
            // Once the completion has run the op is committed and visible to other connections.
            #expect(try reader.currentVersion(doc: "d") == version + 1)
        }
        // A read transaction in progress keeps its snapshot while the writer goes on (WAL).
        try reader.database.begin(.deferred)
        #expect(try reader.currentVersion(doc: "d") == 5)
        let completions = Completions()
        writer.append([record("d", 5)], completion: completions.completion("op"))
        #expect(completions.wait())
        #expect(try reader.currentVersion(doc: "d") == 5)
        try reader.database.commit()
        #expect(try reader.currentVersion(doc: "d") == 6)
    }

    @Test func openFailureIsReported() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: StorageError.self) {
            try GroupCommitWriter(configuration: .init(path: directory.path("no/such/dir/db.sqlite")))
        }
        guard case .sqlite(let cause) = error else {
            Issue.record("expected an SQLite error, got \(String(describing: error))")
            return
        }
        #expect(cause.code == .cantOpen)
    }
}

/// After a version conflict, the appends already queued behind it fail too, even one that
/// happens to fit what the other writer stored, until an append marked `resync` (made after
/// catching up) starts a new chain.
@Suite struct GroupCommitWriterFenceTests {
    static func record(_ version: Int, client: String, seq: Int) -> OpRecord {
        OpRecord(doc: "d", version: version, clientId: client, seq: seq, user: "u", ts: 1, length: version + 1,
                 opJSON: "[\(version),\"x\"]", deletedJSON: "[]")
    }

    @Test func aChainBehindAConflictFailsUntilResync() throws {
        let directory = try TemporaryDirectory()
        var configuration = GroupCommitWriter.Configuration(path: directory.path())
        configuration.commitDelay = .zero
        let writer = try GroupCommitWriter(configuration: configuration)
        defer { writer.close() }
        func append(_ records: [OpRecord], resync: Bool = false) -> Result<Void, StorageError> {
            let done = DispatchSemaphore(value: 0)
            let result = Mutex<Result<Void, StorageError>?>(nil)
            writer.append(records, resync: resync) { outcome in
                result.withLock { $0 = outcome }
                done.signal()
            }
            done.wait()
            return result.withLock { $0! }
        }
        #expect((try? append([Self.record(0, client: "room", seq: 1)]).get()) != nil)
        // Another writer stores version 1.
        let other = try SQLiteOpStore.openForWriting(path: directory.path())
        try other.append([Self.record(1, client: "other", seq: 1)])
        // The room's chain: version 1 (conflicts), then version 2 — which would fit after the
        // other writer's op, but was made on top of the room's own version 1.
        guard case .failure(.versionConflict(_, let expected, let found)) = append([Self.record(1, client: "room", seq: 2)]) else {
            Issue.record("the conflicting append did not fail with a version conflict")
            return
        }
        #expect(expected == 2 && found == 1)
        guard case .failure(.versionConflict) = append([Self.record(2, client: "room", seq: 3)]) else {
            Issue.record("an append behind a conflict was stored")
            return
        }
        #expect(try other.currentVersion(doc: "d") == 2)
        // After catching up, the re-transformed op starts a new chain and is stored.
        #expect((try? append([Self.record(2, client: "room", seq: 2)], resync: true).get()) != nil)
        #expect((try? append([Self.record(3, client: "room", seq: 3)]).get()) != nil)
        #expect(try other.currentVersion(doc: "d") == 4)
    }
}
