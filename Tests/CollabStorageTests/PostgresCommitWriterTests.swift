import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import CollabTestSupport
import Dispatch
import Foundation
import Synchronization
import Testing

/// The group-commit writer of a node on PostgreSQL: one transaction per group, a document's
/// conflict or duplicate failing only that document's requests, the fence until a resync, and
/// the clock offset its ops are stamped with.
@Suite(.postgresCluster,
       .enabled(if: PostgresTestCluster.binariesAvailable,
                "PostgreSQL binaries (initdb, pg_ctl, psql) not found in /usr/lib/postgresql/N/bin (apt-get install postgresql): skipped"))
struct PostgresCommitWriterTests {
    let configuration: PostgresConfiguration

    init() throws {
        configuration = try PostgresTestCluster.running().freshDatabase()
    }

    /// Results of appends submitted together, in submission order.
    final class Outcomes: Sendable {
        let results = Mutex<[Int: Result<Void, StorageError>]>([:])
        let done = DispatchSemaphore(value: 0)

        func completion(_ index: Int) -> @Sendable (Result<Void, StorageError>) -> Void {
            { result in
                self.results.withLock { $0[index] = result }
                self.done.signal()
            }
        }

        func wait(_ count: Int) -> [Result<Void, StorageError>] {
            for _ in 0..<count { done.wait() }
            return results.withLock { results in (0..<count).map { results[$0]! } }
        }
    }

    /// A writer whose first group (document a's version 1, outcome 0) waits on a's row, held by
    /// `blocker`, so the next appends gather into one group until the blocker commits.
    private struct HeldWriter {
        let other: PostgresOpStore
        let writer: PostgresCommitWriter
        let blocker: PostgresConnection
        let outcomes: Outcomes

        func close() {
            blocker.close()
            writer.close()
            other.close()
        }
    }

    /// `seeding` and document a's version 0 stored by another writer, then a held writer.
    private func writerHeldOnRowA(seeding: [OpRecord]) throws -> HeldWriter {
        let other = try PostgresOpStore.open(configuration)
        try other.append([record("a", 0, client: "other", seq: 1)] + seeding)
        let writer = try PostgresCommitWriter(configuration: .init(database: configuration))
        let blocker = try holdingRow("a")
        let outcomes = Outcomes()
        writer.append([record("a", 1, client: "room-a", seq: 1)], resync: true, completion: outcomes.completion(0))
        Thread.sleep(forTimeInterval: 0.2)
        return HeldWriter(other: other, writer: writer, blocker: blocker, outcomes: outcomes)
    }

    /// A session holding `doc`'s row locked (an open transaction) until it commits or closes.
    private func holdingRow(_ doc: String) throws -> PostgresConnection {
        let blocker = try PostgresConnection.connect(configuration)
        _ = try blocker.pipeline([PostgresQuery("BEGIN"),
                                  PostgresQuery("SELECT version FROM documents WHERE id = $1 FOR UPDATE", [doc])])
        return blocker
    }

    /// A writer whose connections go through a proxy that can cut them.
    private func writerThroughProxy() throws -> (CuttingProxy, PostgresCommitWriter) {
        let proxy = try CuttingProxy(target: configuration.port)
        var throughProxy = configuration
        throughProxy.port = proxy.port
        return (proxy, try PostgresCommitWriter(configuration: .init(database: throughProxy)))
    }

    private func succeeded(_ result: Result<Void, StorageError>) -> Bool {
        if case .success = result { return true }
        return false
    }

    @Test func aConflictOrDuplicateFailsOnlyItsDocumentAndTheRestOfTheGroupCommits() throws {
        let held = try writerHeldOnRowA(seeding: [record("d", 0, client: "other", seq: 1),
                                                  record("e", 0, client: "room-e", seq: 1)])
        defer { held.close() }
        let (other, writer, blocker, outcomes) = (held.other, held.writer, held.blocker, held.outcomes)
        writer.append([record("b", 0, client: "room-b", seq: 1)], resync: true, completion: outcomes.completion(1))
        writer.append([record("d", 0, client: "room-d", seq: 1)], resync: true, completion: outcomes.completion(2))
        writer.append([record("e", 1, client: "room-e", seq: 1)], resync: true, completion: outcomes.completion(3))
        writer.append([record("c", 0, client: "room-c", seq: 1), record("c", 1, client: "room-c", seq: 2)],
                      resync: true, completion: outcomes.completion(4))
        writer.append([record("d", 1, client: "room-d", seq: 2)], completion: outcomes.completion(5))
        Thread.sleep(forTimeInterval: 0.2)
        _ = try blocker.query("COMMIT")
        let results = outcomes.wait(6)
        #expect(succeeded(results[0]) && succeeded(results[1]) && succeeded(results[4]), "\(results)")
        guard case .failure(.versionConflict(doc: "d", _, _)) = results[2] else {
            Issue.record("d's append should meet the version other stored: \(results[2])")
            return
        }
        guard case .failure(.duplicate(doc: "e", clientId: "room-e", seq: 1)) = results[3] else {
            Issue.record("a resubmitted seq should be a duplicate: \(results[3])")
            return
        }
        // Behind d's conflict its chain is fenced: even an append that would fit fails.
        guard case .failure(.versionConflict(doc: "d", _, _)) = results[5] else {
            Issue.record("an append behind a conflict was stored: \(results[5])")
            return
        }
        // Two transactions: a's, then everything else together, the conflict and the duplicate
        // found in one look and left out of it (nothing written twice).
        #expect(writer.statistics.commits == 2)
        #expect(writer.statistics.retries == 0)
        #expect(try other.currentVersion(doc: "a") == 2)
        #expect(try other.currentVersion(doc: "b") == 1)
        #expect(try other.currentVersion(doc: "c") == 2)
        #expect(try other.currentVersion(doc: "d") == 1)
        #expect(try other.currentVersion(doc: "e") == 1)
        // After catching up, a resync starts a new chain.
        let again = Outcomes()
        writer.append([record("d", 1, client: "room-d", seq: 1)], resync: true, completion: again.completion(0))
        #expect(succeeded(again.wait(1)[0]))
        #expect(try other.currentVersion(doc: "d") == 2)
        #expect(writer.statistics.versionConflicts >= 2)
        #expect(writer.isHealthy)
    }

    @Test func aDocumentsFirstOpsStoredElsewhereMeanwhileFailOnlyThatDocument() throws {
        let held = try writerHeldOnRowA(seeding: [])
        defer { held.close() }
        let (other, writer, blocker, outcomes) = (held.other, held.writer, held.blocker, held.outcomes)
        // The next group: a new document "n" and document "b".
        writer.append([record("n", 0, client: "room-n", seq: 1)], resync: true, completion: outcomes.completion(1))
        writer.append([record("b", 0, client: "room-b", seq: 1)], resync: true, completion: outcomes.completion(2))
        // Another node stores n's first op (no row to lock yet), committing once the writer's
        // insert waits on it: the writer's transaction meets a unique violation.
        let rival = try PostgresConnection.connect(configuration)
        defer { rival.close() }
        _ = try rival.pipeline([
            PostgresQuery("BEGIN"),
            PostgresQuery("""
                INSERT INTO ops (doc, version, client_id, seq, author, ts, length, op, deleted)
                VALUES ('n', 0, 'rival', 1, 'u', 0, 1, '["x"]', '[]')
                """),
            PostgresQuery("INSERT INTO documents (id, version, length, author_count, created_at, updated_at) VALUES ('n', 1, 1, 1, 0, 0)"),
        ])
        _ = try blocker.query("COMMIT")
        Thread.sleep(forTimeInterval: 0.3)
        _ = try rival.query("COMMIT")
        let results = outcomes.wait(3)
        #expect(succeeded(results[0]))
        guard case .failure(.versionConflict(doc: "n", _, _)) = results[1] else {
            Issue.record("n's first op should meet the rival's: \(results[1])")
            return
        }
        // b was in the transaction rolled back with n's: written again, and stored.
        #expect(succeeded(results[2]), "\(results[2])")
        #expect(try other.currentVersion(doc: "b") == 1)
        #expect(try other.ops(doc: "n", from: 0, limit: 10).map(\.clientId) == ["rival"])
    }

    @Test func aCommitWhoseAnswerIsLostIsFoundStoredAndAcknowledgedOnce() throws {
        // The writer talks to PostgreSQL through a proxy that cuts its connection right after
        // passing on a group's COMMIT: PostgreSQL commits, the writer never hears it.
        let (proxy, writer) = try writerThroughProxy()
        defer { proxy.stop(); writer.close() }
        let store = try PostgresOpStore.open(configuration)
        defer { store.close() }
        proxy.arm(cuttingAfter: Array("COMMIT\u{0}".utf8))
        let outcomes = Outcomes()
        writer.append([record("lost", 0, client: "room-l", seq: 1), record("lost", 1, client: "room-l", seq: 2)],
                      resync: true, completion: outcomes.completion(0))
        let result = outcomes.wait(1)[0]
        #expect(proxy.cuts == 1)
        // Reconnected, it looked: the group had landed, so it is acknowledged, not written again.
        #expect(succeeded(result), "\(result)")
        #expect(writer.statistics.recoveredCommits == 1)
        #expect(try store.ops(doc: "lost", from: 0, limit: 10).map(\.seq) == [1, 2])
        // And it goes on writing.
        let next = Outcomes()
        writer.append([record("lost", 2, client: "room-l", seq: 3)], completion: next.completion(0))
        #expect(succeeded(next.wait(1)[0]))
        #expect(try store.currentVersion(doc: "lost") == 3)
    }

    @Test func aCommitArrivingAfterTheConnectionWasLostIsNeverTakenTwice() throws {
        // This time the COMMIT is held back: the old session has inserted the group's rows,
        // the writer loses its connection, and the COMMIT reaches the old session a second
        // later. Looking at once would find nothing, write again, wait on the old session's
        // rows and then meet them committed: a conflict for ops that were stored.
        let (proxy, writer) = try writerThroughProxy()
        defer { proxy.stop(); writer.close() }
        let store = try PostgresOpStore.open(configuration)
        defer { store.close() }
        // The Parse message of COMMIT: 'P', its length (4 bytes), the unnamed statement's 0.
        proxy.arm(cuttingAfter: Array("COMMIT\u{0}".utf8), lead: 6, delay: .seconds(1))
        let outcomes = Outcomes()
        writer.append([record("late", 0, client: "room-l", seq: 1), record("late", 1, client: "room-l", seq: 2)],
                      resync: true, completion: outcomes.completion(0))
        let result = outcomes.wait(1)[0]
        #expect(proxy.cuts == 1)
        // The writer ended the old session before looking (it rolled back: its COMMIT had not
        // arrived), found nothing, and wrote the group again: stored once, acknowledged.
        #expect(succeeded(result), "\(result)")
        #expect(writer.statistics.recoveredCommits == 0)
        Thread.sleep(forTimeInterval: 1.5)  // the held COMMIT reaches a session that is gone
        #expect(try store.ops(doc: "late", from: 0, limit: 10).map(\.seq) == [1, 2])
        #expect(try store.currentVersion(doc: "late") == 2)
    }

    @Test func opsAreStampedOnPostgreSQLsClock() throws {
        let writer = try PostgresCommitWriter(configuration: .init(database: configuration))
        defer { writer.close() }
        // Same machine: the offset is the round trip's error, not seconds (or a unit mix-up).
        #expect(abs(writer.clockOffsetMilliseconds) < 100, "offset \(writer.clockOffsetMilliseconds) ms")
    }
}
