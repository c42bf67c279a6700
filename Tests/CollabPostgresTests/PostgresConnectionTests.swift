import CollabPostgres
import CollabTestSupport
import Foundation
import Testing

/// Against a real PostgreSQL started for the suite (see `PostgresTestCluster`).
@Suite(.serialized, .postgresCluster,
       .enabled(if: PostgresTestCluster.binariesAvailable,
                "PostgreSQL binaries (initdb, pg_ctl, psql) not found in /usr/lib/postgresql/N/bin (apt-get install postgresql): skipped"))
struct PostgresConnectionTests {
    let cluster: PostgresTestCluster

    init() throws {
        guard let current = PostgresTestCluster.current else {
            throw PostgresTestCluster.ClusterError(description: "no cluster: the suite lost its trait")
        }
        cluster = try current.get()
    }

    @Test func scramLoginAndParameterizedQuery() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        defer { connection.close() }
        #expect(connection.serverParameters["server_version"]?.isEmpty == false)
        #expect(connection.serverParameters["client_encoding"] == "UTF8")
        #expect(connection.backendProcessID != nil)
        // pg_hba.conf gives this role scram-sha-256 on TCP: reaching a query means SCRAM succeeded.
        let result = try connection.query("SELECT current_user, current_database(), $1::int + 1 AS next", ["1"])
        #expect(result.rows == [[PostgresTestCluster.scramUser, PostgresTestCluster.database, "2"]])
        #expect(result.columnNames == ["current_user", "current_database", "next"])
        #expect(connection.transactionStatus == .idle)
    }

    @Test func md5Login() throws {
        let connection = try PostgresConnection.connect(cluster.configuration(
            user: PostgresTestCluster.md5User, password: PostgresTestCluster.md5Password, database: "postgres"))
        defer { connection.close() }
        let result = try connection.query("SELECT current_user, 1 + $1::int AS sum", ["41"])
        #expect(result.columnNames == ["current_user", "sum"])
        #expect(result.rows == [[PostgresTestCluster.md5User, "42"]])
    }

    @Test func wrongPasswordIsTheServers28P01() {
        for (user, database) in [(PostgresTestCluster.scramUser, PostgresTestCluster.database),
                                 (PostgresTestCluster.md5User, "postgres")] {
            do {
                let connection = try PostgresConnection.connect(cluster.configuration(user: user, password: "wrong",
                                                                                       database: database))
                connection.close()
                Issue.record("\(user) logged in with a wrong password")
            } catch {
                #expect(error.sqlState == .invalidPassword, "\(user): \(error)")
            }
        }
    }

    @Test func missingPasswordIsATypedError() {
        #expect(throws: PostgresError.authenticationFailed("the server asks for a password; none given")) {
            try PostgresConnection.connect(cluster.configuration(password: nil))
        }
    }

    @Test func sslRequireRunsSCRAMAndQueriesOverTLS() throws {
        try #require(cluster.hasTLS, "no openssl command to make the server a certificate")
        var configuration = cluster.configuration()
        configuration.sslMode = .require
        let connection = try PostgresConnection.connect(configuration)
        defer { connection.close() }
        #expect(try connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows == [["t"]])
        let big = String(repeating: "x", count: 1 << 20)
        #expect(try connection.query("SELECT $1::text", [big]).rows == [[big]])
        // MD5 over TLS as well.
        var md5 = cluster.configuration(user: PostgresTestCluster.md5User, password: PostgresTestCluster.md5Password,
                                        database: "postgres")
        md5.sslMode = .require
        let second = try PostgresConnection.connect(md5)
        defer { second.close() }
        #expect(try second.query("SELECT current_user").rows == [[PostgresTestCluster.md5User]])
    }

    @Test func nullUnicodeAndAMebibyteRoundTrip() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        defer { connection.close() }
        let big = String(repeating: "é", count: 512 * 1024) // 1 MiB of UTF-8
        let result = try connection.query("SELECT $1::text AS a, $2::text AS b, $3::text AS c, length($3) AS n",
                                          [nil, "日本語 ✓ 🎉", big])
        #expect(result.rows.count == 1)
        #expect(result.rows[0][0] == nil)
        #expect(result.rows[0][1] == "日本語 ✓ 🎉")
        #expect(result.rows[0][2] == big)
        #expect(result.rows[0][3] == "524288")
        #expect(result.commandTag == "SELECT 1")
    }

    @Test func pipelineOfAHundredInsertsBeforeOneSync() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        defer { connection.close() }
        try connection.query("DROP TABLE IF EXISTS pipelined")
        try connection.query("CREATE TABLE pipelined (id int PRIMARY KEY, body text)")
        let inserts = (0..<100).map { PostgresQuery("INSERT INTO pipelined VALUES ($1, $2)", [String($0), "row \($0)"]) }
        let results = try connection.pipeline(inserts)
        #expect(results.count == 100)
        #expect(results.allSatisfy { $0.commandTag == "INSERT 0 1" })
        let count = try connection.query("SELECT count(*), sum(id) FROM pipelined")
        #expect(count.rows == [["100", "4950"]])

        // One failing statement in a pipeline: the implicit transaction takes none of them.
        let mixed = [PostgresQuery("INSERT INTO pipelined VALUES (1000, 'a')"),
                     PostgresQuery("INSERT INTO pipelined VALUES (5, 'duplicate')"),
                     PostgresQuery("INSERT INTO pipelined VALUES (1001, 'b')")]
        #expect(throws: PostgresError.self) { try connection.pipeline(mixed) }
        #expect(try connection.query("SELECT count(*) FROM pipelined").rows == [["100"]])
        #expect(connection.transactionStatus == .idle)
    }

    @Test func uniqueViolationCarriesSQLStateAndConstraint() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        defer { connection.close() }
        try connection.query("DROP TABLE IF EXISTS uniq")
        try connection.query("CREATE TABLE uniq (doc text, seq int, CONSTRAINT uniq_doc_seq UNIQUE (doc, seq))")
        try connection.query("INSERT INTO uniq VALUES ($1, $2)", ["a", "1"])
        do {
            try connection.query("INSERT INTO uniq VALUES ($1, $2)", ["a", "1"])
            Issue.record("duplicate accepted")
        } catch {
            guard case .server(let diagnostic) = error else {
                Issue.record("not a server error: \(error)")
                return
            }
            #expect(diagnostic.code == .uniqueViolation)
            #expect(diagnostic.constraint == "uniq_doc_seq")
            #expect(diagnostic.table == "uniq")
            #expect(diagnostic.severity == "ERROR")
            #expect(diagnostic.detail?.contains("already exists") == true)
        }
        // The connection stays usable after a statement error.
        #expect(try connection.query("SELECT count(*) FROM uniq").rows == [["1"]])
        // And an unknown table maps to 42P01.
        #expect(throws: PostgresError.self) { try connection.query("SELECT * FROM no_such_table") }
        do { try connection.query("SELECT * FROM no_such_table") } catch { #expect(error.sqlState == .undefinedTable) }
    }

    @Test func transactionStatusAcrossBeginErrorRollback() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        defer { connection.close() }
        var notices: [PostgresDiagnostic] = []
        connection.onNotice = { notices.append($0) }
        #expect(connection.transactionStatus == .idle)
        try connection.query("BEGIN")
        #expect(connection.transactionStatus == .inTransaction)
        #expect(throws: PostgresError.self) { try connection.query("SELECT 1/0") }
        #expect(connection.transactionStatus == .failed)
        do { try connection.query("SELECT 1") } catch { #expect(error.sqlState == .inFailedSQLTransaction) }
        #expect(connection.transactionStatus == .failed)
        try connection.query("ROLLBACK")
        #expect(connection.transactionStatus == .idle)
        try connection.query("ROLLBACK") // no transaction in progress: a WARNING notice
        #expect(notices.contains { $0.code == "25P01" })
        #expect(try connection.query("SELECT 'ok'").rows == [["ok"]])
        // An empty statement is an EmptyQueryResponse, not an error.
        #expect(try connection.query("").commandTag == "")
    }

    @Test func simpleQueryRunsSeveralStatements() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        defer { connection.close() }
        let results = try connection.simpleQuery("""
            DROP TABLE IF EXISTS simple; CREATE TABLE simple (id int PRIMARY KEY);
            INSERT INTO simple VALUES (1), (2); SELECT id FROM simple ORDER BY id
            """)
        #expect(results.map(\.commandTag) == ["DROP TABLE", "CREATE TABLE", "INSERT 0 2", "SELECT 2"])
        #expect(results.last?.rows == [["1"], ["2"]])
        // A failing statement rolls back the implicit transaction: the first insert is gone too.
        do {
            _ = try connection.simpleQuery("INSERT INTO simple VALUES (3); INSERT INTO simple VALUES (1)")
            Issue.record("duplicate accepted")
        } catch {
            #expect(error.sqlState == .uniqueViolation)
        }
        #expect(try connection.query("SELECT count(*) FROM simple").rows == [["2"]])
        #expect(connection.transactionStatus == .idle)
    }

    @Test func invalidArgumentsAreRefusedWithoutBreakingTheConnection() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        defer { connection.close() }
        #expect(throws: PostgresError.invalidArgument("SQL contains a NUL byte")) {
            try connection.query("SELECT 1\u{0}")
        }
        #expect(try connection.query("SELECT 2").rows == [["2"]])
    }

    @Test func closedConnectionRefusesCalls() throws {
        let connection = try PostgresConnection.connect(cluster.configuration())
        connection.close()
        #expect(connection.isClosed)
        #expect(throws: PostgresError.connectionClosed) { try connection.query("SELECT 1") }
    }

    @Test func backendTerminatedWhileIdleFailsTheNextCall() throws {
        let victim = try PostgresConnection.connect(cluster.configuration())
        let admin = try PostgresConnection.connect(cluster.configuration(user: PostgresTestCluster.md5User,
                                                                         password: PostgresTestCluster.md5Password,
                                                                         database: "postgres"))
        defer { admin.close() }
        try cluster.psql("SELECT pg_terminate_backend(\(victim.backendProcessID ?? 0))")
        do {
            try victim.query("SELECT 1")
            Issue.record("a terminated backend answered")
        } catch {
            guard case .connectionLost(_, let diagnostic) = error else {
                Issue.record("not connectionLost: \(error)")
                return
            }
            #expect(diagnostic == nil || diagnostic?.code == .adminShutdown)
        }
        #expect(victim.isClosed)
    }

    /// The last test of the serialized suite: it stops the server under an open transaction
    /// and an in-flight query, then starts it again.
    @Test func serverStoppedMidTransactionFailsTheInFlightCall() throws {
        let setup = try PostgresConnection.connect(cluster.configuration())
        try setup.query("DROP TABLE IF EXISTS crash")
        try setup.query("CREATE TABLE crash (id int)")
        setup.close()

        let connection = try PostgresConnection.connect(cluster.configuration())
        try connection.query("BEGIN")
        try connection.query("INSERT INTO crash VALUES (1)")
        #expect(connection.transactionStatus == .inTransaction)

        // The stop comes from another thread while this one waits inside the query.
        let stopped = Locked<(any Error)??>(nil)
        let done = DispatchSemaphore(value: 0)
        let cluster = self.cluster
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            do { try cluster.stopImmediately(); stopped.set(.some(nil)) } catch { stopped.set(.some(error)) }
            done.signal()
        }
        stopper.start()
        let started = ContinuousClock.now
        do {
            let result = try connection.query("SELECT pg_sleep(30)")
            Issue.record("the in-flight call succeeded: \(result)")
        } catch {
            if case .connectionLost = error {} else {
                Issue.record("the in-flight call did not fail with connectionLost: \(error)")
            }
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(done.wait(timeout: .now() + 20) == .success)
        if case .some(.some(let error)) = stopped.get() { Issue.record("pg_ctl stop failed: \(error)") }
        #expect(connection.isClosed)
        #expect(throws: PostgresError.connectionClosed) { try connection.query("SELECT 1") }

        // Restarted, the uncommitted insert is gone.
        try cluster.start()
        let after = try PostgresConnection.connect(cluster.configuration())
        defer { after.close() }
        #expect(try after.query("SELECT count(*) FROM crash").rows == [["0"]])
    }
}
