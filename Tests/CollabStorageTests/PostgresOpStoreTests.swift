import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import CollabTestSupport
import Foundation
import Testing

/// What only the PostgreSQL store faces: several nodes (stores on their own connections)
/// writing one database at once. PostgreSQL decides the order of versions.
@Suite(.postgresCluster,
       .enabled(if: PostgresTestCluster.binariesAvailable,
                "PostgreSQL binaries (initdb, pg_ctl, psql) not found in /usr/lib/postgresql/N/bin (apt-get install postgresql): skipped"))
struct PostgresOpStoreTests {
    let configuration: PostgresConfiguration

    init() throws {
        configuration = try PostgresTestCluster.running().freshDatabase()
    }

    /// Another node's store took the version first: a typed conflict, nothing stored, and the
    /// next version goes in.
    @Test func versionTakenByAnotherNodeIsAConflict() throws {
        let first = try PostgresOpStore.open(configuration)
        let second = try PostgresOpStore.open(configuration)
        defer { first.close(); second.close() }
        try first.append([record("d", 0, client: "one", seq: 1)])
        #expect(throws: StorageError.versionConflict(doc: "d", expected: 1, found: 0)) {
            try second.append([record("d", 0, client: "two", seq: 1)])
        }
        #expect(try second.client(doc: "d", clientId: "two") == nil)
        try second.append([record("d", 1, client: "two", seq: 1)])
        #expect(try first.ops(doc: "d", from: 0, limit: 10).map(\.clientId) == ["one", "two"])
    }

    /// The first ops of a new document have no `documents` row to lock: two nodes race on the
    /// primary key (doc, version). The loser waits for the winner's COMMIT, gets PostgreSQL's
    /// unique violation, and reports it as the conflict it is.
    @Test func racingFirstOpsOfANewDocumentConflictOnThePrimaryKey() throws {
        let winner = try PostgresConnection.connect(configuration)
        let observer = try PostgresConnection.connect(configuration)
        let store = try PostgresOpStore.open(configuration)
        defer { winner.close(); observer.close(); store.close() }
        try winner.query("BEGIN")
        try winner.query("""
            INSERT INTO ops (doc, version, client_id, seq, author, ts, length, op, deleted)
            VALUES ('new', 0, 'winner', 1, 'ada', 1, 1, '["w"]', '[]')
            """)
        try winner.query("""
            INSERT INTO documents (id, version, length, author_count, created_at, updated_at)
            VALUES ('new', 1, 1, 1, 1, 1)
            """)
        let outcome = AppendOutcome()
        let box = UncheckedStore(store)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do throws(StorageError) {
                try box.store.append([record("new", 0, client: "loser", seq: 1)])
                outcome.set(nil)
            } catch {
                outcome.set(error)
            }
            finished.signal()
        }
        // Commit only once the loser is blocked on the winner's uncommitted key.
        var waited = 0
        while try observer.query("""
            SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
            """).rows != [["1"]] {
            waited += 1
            try #require(waited < 500, "the loser never blocked on the winner's key")
            Thread.sleep(forTimeInterval: 0.01)
        }
        try winner.query("COMMIT")
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(outcome.get() == .some(.versionConflict(doc: "new", expected: 1, found: 0)))
        #expect(try store.ops(doc: "new", from: 0, limit: 10).map(\.clientId) == ["winner"])
        #expect(try store.client(doc: "new", clientId: "loser") == nil)
        #expect(store.connection.transactionStatus == .idle)
    }

    /// Four nodes append to one document at once, each retrying on conflict as a server
    /// rebases: every op lands once, versions stay gap-free, and each writer's ops keep their order.
    @Test func concurrentWritersGetGapFreeVersions() throws {
        let writers = 4
        let opsEach = 25
        let stores = try (0..<writers).map { _ in try PostgresOpStore.open(configuration) }
        defer { stores.forEach { $0.close() } }
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let failures = AppendOutcome()
        for (index, store) in stores.enumerated() {
            let box = UncheckedStore(store)
            done.enter()
            Thread.detachNewThread {
                start.wait()
                var seq = 1
                while seq <= opsEach {
                    do throws(StorageError) {
                        let version = try box.store.currentVersion(doc: "shared")
                        try box.store.append([record("shared", version, client: "w\(index)", seq: seq,
                                                     user: "user\(index)")])
                        seq += 1
                    } catch .versionConflict {
                        continue  // another writer got there first: read the version again
                    } catch {
                        failures.set(error)
                        break
                    }
                }
                done.leave()
            }
        }
        for _ in 0..<writers { start.signal() }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(failures.get() == nil)
        let ops = try stores[0].ops(doc: "shared", from: 0, limit: 1_000)
        #expect(ops.map(\.version) == Array(0..<(writers * opsEach)))
        for index in 0..<writers {
            #expect(ops.filter { $0.clientId == "w\(index)" }.map(\.seq) == Array(1...opsEach))
        }
        let info = try #require(try stores[0].documentInfo(doc: "shared"))
        #expect(info.version == writers * opsEach)
        #expect(info.authorCount == writers)
    }
}

/// The error (or success: nil) a writer thread ended with.
private final class AppendOutcome: @unchecked Sendable {
    // @unchecked: every access to `value` holds `lock`.
    private let lock = NSLock()
    private var value: StorageError?

    func set(_ error: StorageError?) { lock.withLock { value = error } }

    func get() -> StorageError? { lock.withLock { value } }
}

/// Hands a store to the one thread that uses it.
private struct UncheckedStore: @unchecked Sendable {
    // @unchecked: each writer thread gets its own store (and connection); the test reads it
    // again only after the thread has signalled that it finished.
    let store: PostgresOpStore

    init(_ store: PostgresOpStore) { self.store = store }
}
