import CollabOT
import CollabStorage
import CollabTestSupport
import Foundation
import Testing

/// The operator commands with `--db postgres://...`, and `collab copy` between SQLite and
/// PostgreSQL, run as the built binary against a throwaway cluster. The PostgreSQL side is
/// filled by `collab copy` from a SQLite fixture made through the storage API, and each command
/// must print there exactly what it prints on the SQLite file.
@Suite(.postgresCluster, .serialized, .enabled(if: PostgresTestCluster.binariesAvailable))
struct PostgresOperatorCommandTests {
    typealias Result = ExecutableRun

    let temporary: TemporaryDirectory
    /// The SQLite fixture: "notes" (4 ops, a snapshot, a name), "plans" (30 ops compacted at
    /// 20, a name below the horizon) and "long" (2,500 ops: three batches of a copy).
    let sqlite: String

    init() throws {
        temporary = try TemporaryDirectory(prefix: "cli-postgres")
        sqlite = temporary.path("source.sqlite")
        let store = try SQLiteOpStore.openForWriting(path: sqlite)
        try store.append([
            OperatorCommandTests.record(0, "ada", "client-ada1", 1, [.insert("hello\nworld\n")], length: 12),
            OperatorCommandTests.record(1, "bob", "client-bob1", 1, [.retain(6), .insert("big ")], length: 16),
            OperatorCommandTests.record(2, "ada", "client-ada1", 2, [.retain(16), .insert("bye\n")], length: 20),
            OperatorCommandTests.record(3, "bob", "client-bob1", 2, [.retain(3), .delete(2)], length: 18,
                                        deleted: #"["lo"]"#),
        ])
        try store.saveSnapshot(Snapshot(doc: "notes", version: 3, text: "hello\nbig world\nbye\n", createdAt: 7))
        try store.addNamedVersion(NamedVersion(doc: "notes", name: "draft ✓", version: 2, user: "ada", createdAt: 9))
        try store.append(Self.lines(doc: "plans", count: 30))
        try store.addNamedVersion(NamedVersion(doc: "plans", name: "early", version: 5, user: "bob", createdAt: 11))
        _ = try store.compact(doc: "plans", horizon: 20, now: 12, dryRun: false)
        try store.append(Self.lines(doc: "long", count: 2_500))
    }

    /// `count` ops each appending a line, alternately by ada and bob, one second apart.
    static func lines(doc: String, count: Int) -> [OpRecord] {
        var length = 0
        return (0..<count).map { version in
            let line = "line \(version) of \(doc) ✓\n"
            let components: [TextOperation.Component] = length == 0 ? [.insert(line)] : [.retain(length), .insert(line)]
            length += line.unicodeScalars.count
            let ada = version % 2 == 0
            return OpRecord(doc: doc, version: version, clientId: ada ? "client-ada" : "client-bob", seq: version / 2 + 1,
                            user: ada ? "ada" : "bob", ts: OperatorCommandTests.start + Int64(version) * 1_000,
                            length: length, opJSON: TextOperation(unchecked: components).json.jsonString)
        }
    }

    func collab(_ arguments: [String], input: String? = nil) throws -> Result {
        let binary = try #require(BuiltProduct.collab, "the collab executable was not built next to the tests")
        return try ExecutableRun.run(binary, arguments, directory: temporary.url, input: input)
    }

    /// The read commands whose output must not depend on the store.
    static let reads: [[String]] = [
        ["docs"], ["docs", "--json"], ["docs", "--sort", "size"],
        ["export", "notes"], ["export", "notes", "--version", "2"], ["export", "plans"],
        ["export", "plans", "--version", "25"], ["export", "long"], ["export", "long", "--version", "1234"],
        ["history", "notes"], ["history", "notes", "--json"], ["history", "plans", "--json"],
        ["history", "long", "--json", "--limit", "3000"], ["history", "long", "--user", "bob", "--limit", "7"],
        ["show", "notes", "--version", "1"], ["blame", "notes"], ["blame", "plans", "--json"],
        ["versions", "notes"], ["versions", "plans"], ["diff", "notes", "1", "4"], ["verify"],
    ]

    /// Each read command prints the same on both databases (stdout and status).
    func expectSameReads(_ first: String, _ second: String, _ comment: String) throws {
        for command in Self.reads {
            let one = try collab(command + ["--db", first])
            let two = try collab(command + ["--db", second])
            #expect(one.status == 0, "\(command) on \(first): \(one.err)")
            #expect(two.status == one.status && two.out == one.out, "\(comment): \(command) differs: \(two.err)")
        }
    }

    func expectNoPassword(_ result: Result, _ secret: String = PostgresTestCluster.scramPassword) {
        for text in [result.out, result.err] {
            #expect(!text.contains(secret) && !text.contains(PostgresTestCluster.percentEncoded(secret)),
                    "password in output: \(text)")
        }
    }

    // MARK: - Operator commands and copy

    @Test func operatorCommandsOnPostgresMatchSQLiteAndCopyRoundTrips() throws {
        let cluster = try PostgresTestCluster.running()
        let postgres = try cluster.freshDatabaseURL()
        let redacted = "postgres://collab_test:***@127.0.0.1:\(cluster.port)/" + postgres.split(separator: "/").last!

        // migrate: the PostgreSQL schema, once.
        #expect(try collab(["migrate", "--db", postgres, "--dry-run"]).out.hasPrefix("-- migration 1: initial\n"))
        #expect(try collab(["migrate", "--db", postgres]) == Result(status: 0, out: "applied migration 1: initial\napplied migration 2: client_joins\n", err: ""))
        #expect(try collab(["migrate", "--db", postgres])
                == Result(status: 0, out: "\(redacted) is up to date (schema version 2); nothing to apply\n", err: ""))

        // SQLite -> PostgreSQL.
        let toPostgres = try collab(["copy", "--from", sqlite, "--to", postgres])
        #expect(toPostgres == Result(status: 0, out: """
            copied  long   2500 operations, 0 snapshots, 0 named versions, 2 clients
            copied  notes  4 operations, 1 snapshot, 1 named version, 2 clients
            copied  plans  10 operations, 2 snapshots, 1 named version, 2 clients, compacted at version 20
            copied 3 documents (2514 operations) from \(sqlite) to \(redacted)

            """, err: ""))
        expectNoPassword(toPostgres)
        try expectSameReads(sqlite, postgres, "SQLite vs PostgreSQL")
        #expect(try collab(["verify", "--db", postgres]).out == """
            ok    long   2500 ops, 0 snapshots
            ok    notes  4 ops, 1 snapshot
            ok    plans  30 ops, 1 snapshot

            """)
        // The "more" hint names the database without its password.
        let paged = try collab(["history", "long", "--limit", "5", "--db", postgres])
        #expect(paged.status == 0 && paged.err.contains("--db '\(redacted)'"))
        expectNoPassword(paged)

        // PostgreSQL -> a new SQLite file: byte-identical to the original.
        let back = temporary.path("back.sqlite")
        let toSQLite = try collab(["copy", "--from", postgres, "--to", back])
        #expect(toSQLite.status == 0 && toSQLite.out.hasSuffix("from \(redacted) to \(back)\n"))
        try expectSameReads(sqlite, back, "SQLite vs SQLite after the round trip")
        // SQLite -> SQLite and PostgreSQL -> PostgreSQL too.
        let again = temporary.path("again.sqlite")
        #expect(try collab(["copy", "--from", back, "--to", again, "--doc", "plans"]).status == 0)
        #expect(try collab(["docs", "--db", again]).out.split(separator: "\n").count == 2)
        let other = try cluster.freshDatabaseURL()
        #expect(try collab(["copy", "--from", postgres, "--to", other]).status == 0)
        try expectSameReads(sqlite, other, "PostgreSQL vs PostgreSQL")

        // Writing commands on PostgreSQL.
        let file = temporary.path("fresh.txt")
        try "a fresh text ✓\n".write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try collab(["import", "fresh", file, "--db", postgres])
        #expect(imported.status == 0 && imported.out.hasPrefix("created fresh at version 1: 15 characters by system"))
        #expect(try collab(["import", "fresh", file, "--db", postgres]).status == 1)
        #expect(try collab(["export", "fresh", "--db", postgres]).out == "a fresh text ✓\n")
        #expect(try collab(["tag", "notes", "final", "--db", postgres]).out == "named version 4 of 'notes' 'final'\n")
        #expect(try collab(["restore", "notes", "--version", "1", "--db", postgres]).status == 0)
        #expect(try collab(["export", "notes", "--db", postgres]).out == "hello\nworld\n")
        #expect(try collab(["compact", "long", "--keep-versions", "100", "--db", postgres]).status == 0)
        #expect(try collab(["export", "long", "--db", postgres]).out == collab(["export", "long", "--db", sqlite]).out)
        #expect(try collab(["delete", "fresh", "--yes", "--db", postgres]).status == 0)
        #expect(try collab(["verify", "--db", postgres]).status == 0)
    }

    @Test func copyRefusesDocumentsTheDestinationHasUnlessReplace() throws {
        let postgres = try PostgresTestCluster.running().freshDatabaseURL()
        #expect(try collab(["copy", "--from", sqlite, "--to", postgres, "--doc", "notes", "--doc", "plans"]).status == 0)

        let refused = try collab(["copy", "--from", sqlite, "--to", postgres])
        #expect(refused.status == 1 && refused.out == "")
        #expect(refused.err.hasSuffix("already has documents 'notes', 'plans'; nothing was copied. "
                                      + "Use --replace to delete them there and copy again, or --doc to choose others.\n"))
        #expect(refused.err.split(separator: "\n").count == 1)
        expectNoPassword(refused)
        #expect(try collab(["docs", "--db", postgres]).out.split(separator: "\n").count == 3)  // "long" was not copied
        // A document the destination lacks needs no --replace.
        #expect(try collab(["copy", "--from", sqlite, "--to", postgres, "--doc", "long"]).status == 0)

        // The source changes; --replace deletes the destination's copy (a name only it had
        // too) and copies the document again.
        let file = temporary.path("new.txt")
        try "new text\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try collab(["import", "notes", file, "--force", "--db", sqlite]).status == 0)
        #expect(try collab(["tag", "notes", "only there", "--db", postgres]).status == 0)
        let replaced = try collab(["copy", "--from", sqlite, "--to", postgres, "--doc", "notes", "--replace"])
        #expect(replaced.status == 0)
        #expect(replaced.out.hasPrefix("copied  notes  5 operations, 1 snapshot, 1 named version, 3 clients, replaced\n"))
        try expectSameReads(sqlite, postgres, "after --replace")
        // Without --doc, --replace copies every document, those already there included.
        #expect(try collab(["copy", "--from", sqlite, "--to", postgres, "--replace"]).status == 0)
        try expectSameReads(sqlite, postgres, "after a second --replace")

        #expect(try collab(["copy", "--from", sqlite, "--to", postgres, "--doc", "ghost"]).status == 1)
        #expect(try collab(["copy", "--from", sqlite, "--to", sqlite]).status == 2)
        #expect(try collab(["copy", "--from", postgres, "--to", postgres]).status == 2)
        // Another spelling of the same server, even with --replace: refused before any change.
        let sameServer = postgres.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
        let itself = try collab(["copy", "--from", postgres, "--to", sameServer, "--replace"])
        #expect(itself.status == 2 && itself.err.hasPrefix("error: --from and --to name the same database"), "\(itself.err)")
        try expectSameReads(sqlite, postgres, "after copying onto itself was refused")
        let link = temporary.path("link.sqlite")
        try FileManager.default.linkItem(atPath: sqlite, toPath: link)
        #expect(try collab(["copy", "--from", sqlite, "--to", link, "--replace"]).status == 2)
    }

    // MARK: - Errors

    @Test func badURLsAndWrongPasswordsFailOnOneLineWithoutThePassword() throws {
        let cluster = try PostgresTestCluster.running()
        let wrong = cluster.url(password: "not the pässword")
        for command in [["docs"], ["export", "notes"], ["history", "notes"], ["verify"], ["migrate"],
                        ["import", "x", "-"], ["tag", "notes", "n"]] {
            let result = try collab(command + ["--db", wrong], input: "text")
            #expect(result.status == 1 && result.out == "", "\(command)")
            #expect(result.err.split(separator: "\n").count == 1, "\(command): \(result.err)")
            #expect(result.err.contains("postgres://collab_test:***@127.0.0.1:\(cluster.port)/collab_test"))
            #expect(result.err.contains("28P01"), "\(result.err)")
            expectNoPassword(result, "not the pässword")
        }
        let copyTo = try collab(["copy", "--from", sqlite, "--to", wrong])
        #expect(copyTo.status == 1 && copyTo.err.split(separator: "\n").count == 1)
        expectNoPassword(copyTo, "not the pässword")

        // Nothing listening.
        let closed = try collab(["docs", "--db", "postgres://u:sekrit@127.0.0.1:1/db"])
        #expect(closed == Result(status: 1, out: "", err: """
            error: postgres://u:***@127.0.0.1:1/db: cannot connect to PostgreSQL: connect to 127.0.0.1:1: Connection refused.

            """))

        // Malformed URLs: the reason, never the password.
        #expect(try collab(["docs", "--db", "postgres://u:sekrit@127.0.0.1:port/db"]) == Result(status: 1, out: "", err: """
            error: invalid --db URL: invalid port 'port' in the PostgreSQL URL (expected 1-65535).

            """))
        let noHost = try collab(["export", "notes", "--db", "postgresql://u:sekrit@/db"])
        #expect(noHost == Result(status: 1, out: "", err: "error: invalid --db URL: the PostgreSQL URL has no host.\n"))
        #expect(try collab(["docs", "--db", "postgress://u:sekrit@h/db"]) == Result(status: 1, out: "", err: """
            error: invalid --db URL: unsupported scheme 'postgress': expected postgres://USER:PASSWORD@HOST:PORT/DBNAME.

            """))
        let badTo = try collab(["copy", "--from", sqlite, "--to", "postgres://u:sekrit@h/db?sslmode=maybe"])
        #expect(badTo.status == 1 && badTo.err.hasPrefix("error: invalid --to URL: unsupported URL parameter"))
        #expect(!badTo.err.contains("sekrit"))

        // A database without the schema: a hint to migrate it.
        let empty = try cluster.freshDatabaseURL()
        let unmigrated = try collab(["docs", "--db", empty])
        #expect(unmigrated.status == 1 && unmigrated.err.contains("has schema version 0; this collab needs 2. Run 'collab migrate --db postgres://collab_test:***@"))
        expectNoPassword(unmigrated)
    }
}
