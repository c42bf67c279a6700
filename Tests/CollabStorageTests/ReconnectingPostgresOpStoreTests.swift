import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import CollabTestSupport
import Foundation
import Testing

/// The lazily (re)connecting store the server's loops and background sessions read through:
/// a connection PostgreSQL dropped is replaced on the next read, and an unreachable server is
/// not dialled again within the cooldown.
@Suite(.postgresCluster,
       .enabled(if: PostgresTestCluster.binariesAvailable,
                "PostgreSQL binaries (initdb, pg_ctl, psql) not found in /usr/lib/postgresql/N/bin (apt-get install postgresql): skipped"))
struct ReconnectingPostgresOpStoreTests {
    @Test func aDroppedConnectionIsReplacedOnTheNextRead() throws {
        let configuration = try PostgresTestCluster.running().freshDatabase()
        let writer = try PostgresOpStore.open(configuration)
        defer { writer.close() }
        try writer.append([record("d", 0)])
        let store = ReconnectingPostgresOpStore(configuration: configuration)
        #expect(try store.currentVersion(doc: "d") == 1)
        let backend = try #require(try store.connected().connection.backendProcessID)
        // The server ends the session (as a restart or an administrator would).
        _ = try writer.connection.query("SELECT pg_terminate_backend($1::int)", [String(backend)])
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try store.currentVersion(doc: "d") == 1, "read again on a fresh connection")
        #expect(try store.connected().connection.backendProcessID != backend)
    }

    @Test func anUnreachableServerIsNotDialledAgainWithinTheCooldown() throws {
        let port = try LoopbackPort.free()
        let store = ReconnectingPostgresOpStore(
            configuration: PostgresConfiguration(host: "127.0.0.1", port: port, user: "nobody", connectTimeout: .seconds(2)),
            cooldown: .seconds(30))
        #expect(throws: StorageError.self) { try store.currentVersion(doc: "d") }
        do {
            _ = try store.currentVersion(doc: "d")
            Issue.record("a read within the cooldown succeeded")
        } catch {
            #expect(error.description.contains("unreachable; retrying shortly"), "\(error)")
        }
        #expect(!store.isConnected)
    }
}
