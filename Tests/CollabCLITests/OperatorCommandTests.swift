import CollabOT
import CollabStorage
import CollabTestSupport
import Foundation
import Testing

/// The operator commands, run as the built `collab` executable on a temporary database
/// filled through the storage API.
@Suite struct OperatorCommandTests {
    typealias Result = ExecutableRun

    let temporary: TemporaryDirectory
    var directory: URL { temporary.url }
    let db: String

    /// Document "notes": four ops by ada and bob, one second apart from 2025-11-22T08:26:40Z,
    /// with a snapshot at version 3. Text: "hel\nbig world\nbye\n".
    init() throws {
        temporary = try TemporaryDirectory(prefix: "cli-tests")
        db = temporary.path()
        let store = try SQLiteOpStore.openForWriting(path: db)
        try store.append([
            Self.record(0, "ada", "client-ada1", 1, [.insert("hello\nworld\n")], length: 12),
            Self.record(1, "bob", "client-bob1", 1, [.retain(6), .insert("big ")], length: 16),
            Self.record(2, "ada", "client-ada1", 2, [.retain(16), .insert("bye\n")], length: 20),
            Self.record(3, "bob", "client-bob1", 2, [.retain(3), .delete(2)], length: 18, deleted: #"["lo"]"#),
        ])
        try store.saveSnapshot(Snapshot(doc: "notes", version: 3, text: "hello\nbig world\nbye\n", createdAt: 0))
    }

    static let start: Int64 = 1_763_800_000_000  // 2025-11-22T08:26:40.000Z

    static func record(_ version: Int, _ user: String, _ client: String, _ seq: Int,
                       _ components: [TextOperation.Component], length: Int, deleted: String = "[]") -> OpRecord {
        OpRecord(doc: "notes", version: version, clientId: client, seq: seq, user: user,
                 ts: start + Int64(version) * 1_000, length: length,
                 opJSON: TextOperation(unchecked: components).json.jsonString, deletedJSON: deleted)
    }

    func collab(_ arguments: [String], withDatabase: Bool = true, input: String? = nil) throws -> Result {
        let binary = try #require(BuiltProduct.collab, "the collab executable was not built next to the tests")
        return try ExecutableRun.run(binary, arguments + (withDatabase ? ["--db", db] : []), directory: directory,
                                     input: input)
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    // MARK: - docs

    @Test func docs() throws {
        #expect(try collab(["docs"]) == Result(status: 0, out: """
            ID     VERSION  SIZE  AUTHORS  UPDATED
            notes        4    18        2  2025-11-22T08:26:43.000Z

            """, err: ""))
        #expect(try collab(["docs", "--json"]).out == """
            {"id":"notes","version":4,"size":18,"authors":2,"createdAt":"2025-11-22T08:26:40.000Z","updatedAt":"2025-11-22T08:26:43.000Z"}

            """)
        #expect(try collab(["docs", "--prefix", "x"]) == Result(status: 0, out: "", err: "no documents\n"))
        #expect(try collab(["docs", "--since", "2025-11-23"]).out == "")
        #expect(try collab(["docs", "--since", "2025-11-22T09:00+01:00"]).out.contains("notes"))
        #expect(try collab(["docs", "--sort", "colour"]).status == 2)
        #expect(try collab(["docs", "--since", "last week"]) == Result(status: 2, out: "", err: """
            error: invalid value 'last week' for '--since': expected an ISO 8601 time such as 2025-01-31T12:00:00Z, 2025-01-31T13:00:00+01:00 or 2025-01-31.
            See 'collab docs --help'.

            """))
    }

    @Test func docsSortsAndReverses() throws {
        let store = try SQLiteOpStore.openForWriting(path: db)
        try store.append([OpRecord(doc: "a-long", version: 0, clientId: "client-cy1", seq: 1, user: "cy",
                                   ts: Self.start - 5_000, length: 30, opJSON: #"["\#(String(repeating: "z", count: 30))"]"#)])
        #expect(try collab(["docs"]).out.split(separator: "\n").map { $0.prefix(6) } == ["ID    ", "a-long", "notes "])
        #expect(try collab(["docs", "--sort", "size"]).out.split(separator: "\n").dropFirst().map { $0.prefix(6) }
                == ["a-long", "notes "])
        #expect(try collab(["docs", "--sort", "updated", "--reverse"]).out.split(separator: "\n").dropFirst()
                    .map { $0.prefix(6) } == ["a-long", "notes "])
        #expect(try collab(["docs", "--sort", "version"]).out.split(separator: "\n").dropFirst()
                    .map { $0.prefix(6) } == ["notes ", "a-long"])
    }

    // MARK: - history

    @Test func history() throws {
        #expect(try collab(["history", "notes"]) == Result(status: 0, out: """
            0  2025-11-22T08:26:40.000Z  ada  client-ada1  +12 -0 @0
            1  2025-11-22T08:26:41.000Z  bob  client-bob1  +4 -0 @6
            2  2025-11-22T08:26:42.000Z  ada  client-ada1  +4 -0 @16
            3  2025-11-22T08:26:43.000Z  bob  client-bob1  +0 -2 @3

            """, err: ""))
        #expect(try collab(["history", "notes", "--user", "bob", "--ops"]).out == """
            1  2025-11-22T08:26:41.000Z  bob  client-bob1  +4 -0 @6  [6,"big "]
            3  2025-11-22T08:26:43.000Z  bob  client-bob1  +0 -2 @3  [3,{"d":2}]

            """)
        #expect(try collab(["history", "notes", "--since", "2025-11-22T09:26:42+01:00"]).out
                    .split(separator: "\n").map { $0.prefix(1) } == ["2", "3"])
        #expect(try collab(["history", "notes", "--from", "3", "--json"]).out == """
            {"type":"op","v":3,"op":[3,{"d":2}],"clientId":"client-bob1","seq":2,"user":"bob","ts":1763800003000,"time":"2025-11-22T08:26:43.000Z"}

            """)
        #expect(try collab(["history", "notes", "--from", "9"]) == Result(status: 0, out: "", err: ""))
    }

    @Test func historyPagesWithAHintOnStandardError() throws {
        let first = try collab(["history", "notes", "--limit", "2"])
        #expect(first.status == 0)
        #expect(first.out.split(separator: "\n").map { $0.prefix(1) } == ["0", "1"])
        #expect(first.err == "-- more: collab history notes --from 2 --limit 2 --db \(db)\n")
        let second = try collab(["history", "notes", "--from", "2", "--limit", "2"])
        #expect(second.out.split(separator: "\n").map { $0.prefix(1) } == ["2", "3"])
        #expect(second.err == "")
    }

    @Test func historyFollowPrintsNewOpsUntilInterrupted() throws {
        let binary = try #require(BuiltProduct.collab)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["history", "notes", "--follow", "--limit", "1", "--db", db]
        process.environment = [:]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var seen = ""
        func readUntil(_ marker: String) {
            let deadline = Date().addingTimeInterval(10)
            while !seen.contains(marker), Date() < deadline {
                seen += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            }
        }
        readUntil("@3")  // starts with the last --limit versions
        #expect(seen == "3  2025-11-22T08:26:43.000Z  bob  client-bob1  +0 -2 @3\n")
        let store = try SQLiteOpStore.openForWriting(path: db)
        try store.append([Self.record(4, "cy", "client-cy01", 1, [.insert("!")], length: 19)])
        readUntil("@0\n")
        #expect(seen.hasSuffix("4  2025-11-22T08:26:44.000Z  cy  client-cy01  +1 -0 @0\n"))
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    // MARK: - export

    @Test func export() throws {
        #expect(try collab(["export", "notes"]) == Result(status: 0, out: "hel\nbig world\nbye\n", err: ""))
        #expect(try collab(["export", "notes", "--version", "3"]).out == "hello\nbig world\nbye\n")
        #expect(try collab(["export", "notes", "--version", "2"]).out == "hello\nbig world\n")
        #expect(try collab(["export", "notes", "--version", "1"]).out == "hello\nworld\n")
        #expect(try collab(["export", "notes", "--version", "0"]) == Result(status: 0, out: "", err: ""))
        #expect(try collab(["export", "notes", "--at", "2025-11-22T08:26:41.500Z"]).out == "hello\nbig world\n")
        #expect(try collab(["export", "notes", "--at", "2025-11-22T09:26:41.5+01:00"]).out == "hello\nbig world\n")
        #expect(try collab(["export", "notes", "--version", "1", "--format", "json"]).out == """
            {"id":"notes","version":1,"ts":1763800000000,"time":"2025-11-22T08:26:40.000Z","text":"hello\\nworld\\n"}

            """)
        #expect(try collab(["export", "notes", "-o", "out.txt"]) == Result(status: 0, out: "", err: ""))
        #expect(try String(contentsOfFile: path("out.txt"), encoding: .utf8) == "hel\nbig world\nbye\n")
    }

    @Test func exportErrors() throws {
        #expect(try collab(["export", "nope"]) == Result(status: 1, out: "", err: """
            error: no document 'nope' in \(db). 'collab docs' lists the documents.

            """))
        #expect(try collab(["export", "notes", "--version", "5"]) == Result(status: 1, out: "", err: """
            error: document 'notes' is at version 4; version 5 does not exist. Use a version from 0 to 4.

            """))
        #expect(try collab(["export", "notes", "--at", "2025-11-21"]) == Result(status: 1, out: "", err: """
            error: document 'notes' did not exist yet at 2025-11-21T00:00:00.000Z; its first operation was stored at 2025-11-22T08:26:40.000Z.

            """))
        #expect(try collab(["export", "notes", "--version", "-1"]).status == 2)
        #expect(try collab(["export", "notes", "--version", "two"]).status == 2)
        #expect(try collab(["export", "notes", "--at", "noon"]).status == 2)
        #expect(try collab(["export", "notes", "-o", path("no-such-dir/out.txt")]) == Result(status: 1, out: "", err: """
            error: cannot write \(path("no-such-dir/out.txt")): No such file or directory.

            """))
    }

    // MARK: - show, blame

    @Test func show() throws {
        #expect(try collab(["show", "notes", "--version", "3"]) == Result(status: 0, out: """
            operation 3 of notes: +0 -2 @3
            user:     bob
            client:   client-bob1 (seq 2)
            time:     2025-11-22T08:26:43.000Z
            op:       [3,{"d":2}]

            @@ -1,3 +1,3 @@
            -hello
            +hel
             big world
             bye

            """, err: ""))
        #expect(try collab(["show", "notes", "--version", "1", "--context", "0"]).out.hasSuffix("""
            @@ -2,1 +2,1 @@
            -world
            +big world

            """))
        #expect(try collab(["show", "notes", "--version", "4"]) == Result(status: 1, out: "", err: """
            error: document 'notes' has operations 0 to 3; there is no operation 4.

            """))
        #expect(try collab(["show", "ghost", "--version", "0"]).status == 1)
    }

    @Test func blame() throws {
        #expect(try collab(["blame", "notes"]) == Result(status: 0, out: """
            0 (ada 2025-11-22T08:26:40.000Z 1) hel
            1 (bob 2025-11-22T08:26:41.000Z 2) big world
            2 (ada 2025-11-22T08:26:42.000Z 3) bye

            """, err: ""))
        #expect(try collab(["blame", "notes", "--json"]).out.split(separator: "\n").first == """
            {"line":1,"version":0,"user":"ada","ts":1763800000000,"time":"2025-11-22T08:26:40.000Z","text":"hel"}
            """)
        #expect(try collab(["blame", "ghost"]).status == 1)
    }

    // MARK: - verify

    @Test func verify() throws {
        #expect(try collab(["verify"]) == Result(status: 0, out: "ok    notes  4 ops, 1 snapshot\n", err: ""))
        #expect(try collab(["verify", "notes"]).status == 0)
        #expect(try collab(["verify", "ghost"]).status == 1)

        let store = try SQLiteOpStore.openForWriting(path: db)
        try store.database.execute("UPDATE snapshots SET text = 'tampered' WHERE doc = 'notes'")
        try store.database.execute("UPDATE ops SET op = 'oops' WHERE doc = 'notes' AND version = 3")
        let result = try collab(["verify"])
        #expect(result.status == 1)
        let lines = result.out.split(separator: "\n").map(String.init)
        let stored = Snapshot.checksum(of: "hello\nbig world\nbye\n"), tampered = Snapshot.checksum(of: "tampered")
        #expect(Array(lines.prefix(3)) == [
            "FAIL  notes  3 problems",
            "        snapshot 3: stored checksum \(stored) does not match its text (\(tampered))",
            "        snapshot 3 differs from the replay (snapshot \(tampered), replay \(stored))",
        ])
        #expect(lines.count == 4)
        #expect(lines.last?.hasPrefix("        op 3 cannot be decoded: invalid JSON") == true)
        #expect(result.err.hasPrefix("error: 1 of 1 document failed verification (notes)."))
        // The rebuild passes over the tampered snapshot.
        #expect(try collab(["export", "notes", "--version", "3"]).out == "hello\nbig world\nbye\n")
        #expect(try collab(["export", "notes"]).status == 1)
    }

    @Test func verifyChecksTheClientsTable() throws {
        let store = try SQLiteOpStore.openForWriting(path: db)
        try store.database.execute("DELETE FROM clients WHERE client_id = 'client-ada1'")
        try store.database.execute("UPDATE clients SET highest_seq = 1 WHERE client_id = 'client-bob1'")
        #expect(try collab(["verify"]) == Result(status: 1, out: """
            FAIL  notes  2 problems
                    the clients table has no row for client client-ada1
                    clients.highest_seq of client client-bob1 is 1; the op log gives 2

            """, err: """
            error: 1 of 1 document failed verification (notes). Keep a copy of \(db) before repairing it; 'collab export' still writes each version the replay reaches.

            """))
    }

    // MARK: - import

    @Test func importCreatesThenRefusesThenReplaces() throws {
        try "first line\nsecond\n".write(toFile: path("in.txt"), atomically: true, encoding: .utf8)
        let created = try collab(["import", "fresh", "in.txt"])
        #expect(created.status == 0)
        #expect(created.out.hasPrefix("created fresh at version 1: 18 characters by system (client collab-import-"))
        #expect(try collab(["export", "fresh"]).out == "first line\nsecond\n")
        #expect(try collab(["history", "fresh"]).out.contains("  system  collab-import-"))

        #expect(try collab(["import", "fresh", "in.txt"]) == Result(status: 1, out: "", err: """
            error: document 'fresh' already exists (version 1). Use --force to replace its text with one new operation, or import under another id.

            """))
        let replaced = try collab(["import", "fresh", "-", "--force"], input: "new text")
        #expect(replaced.status == 0)
        #expect(replaced.out.hasPrefix("replaced the text of fresh: now version 2, 8 characters by system"))
        #expect(try collab(["export", "fresh"]).out == "new text")
        #expect(try collab(["export", "fresh", "--version", "1"]).out == "first line\nsecond\n")
        #expect(try collab(["verify", "fresh"]).status == 0)
    }

    @Test func importBadInput() throws {
        #expect(try collab(["import", "fresh", "missing.txt"]) == Result(status: 1, out: "", err: """
            error: cannot read missing.txt: No such file or directory.

            """))
        #expect(try collab(["import", "fresh", directory.path]).status == 1)
        try Data([0x66, 0xFF, 0x66]).write(to: URL(fileURLWithPath: path("latin1.txt")))
        #expect(try collab(["import", "fresh", "latin1.txt"]) == Result(status: 1, out: "", err: """
            error: latin1.txt is not UTF-8 text; convert it first (for example with iconv -t UTF-8).

            """))
        try Data().write(to: URL(fileURLWithPath: path("empty.txt")))
        #expect(try collab(["import", "fresh", "empty.txt"]).status == 1)
        #expect(try collab(["import", "bad/id", "empty.txt"]).status == 2)
        #expect(try collab(["docs"]).out.contains("fresh") == false)
    }

    // MARK: - databases

    @Test func missingDatabaseIsNotCreated() throws {
        let missing = path("missing.sqlite")
        for command in [["docs"], ["history", "notes"], ["export", "notes"], ["verify"], ["import", "x", "-"]] {
            let result = try collab(command + ["--db", missing], withDatabase: false)
            #expect(result == Result(status: 1, out: "", err: """
                error: no database at \(missing). Point --db (or COLLAB_DB) at the server's database, or create one with 'collab migrate --db \(missing)'.

                """), "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func databaseFromANewerSchemaIsRefusedByEveryCommand() throws {
        let store = try SQLiteOpStore.openForWriting(path: db)
        try store.database.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)")
        let known = Migrator.embedded.knownVersion
        for command in [["docs"], ["history", "notes"], ["export", "notes"], ["show", "notes", "--version", "0"],
                        ["blame", "notes"], ["verify"], ["import", "x", "-"], ["migrate"], ["migrate", "--dry-run"]] {
            let result = try collab(command, input: "text")
            #expect(result == Result(status: 1, out: "", err: """
                error: \(db) has schema version 99, newer than this collab knows (\(known)). Use the collab that wrote it, or upgrade this one.

                """), "\(command)")
        }
    }

    @Test func notADatabase() throws {
        try "plain text".write(toFile: path("text.sqlite"), atomically: true, encoding: .utf8)
        let result = try collab(["docs", "--db", path("text.sqlite")], withDatabase: false)
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("error: cannot read \(path("text.sqlite")): file is not a database"))
    }

    @Test func migrateCreatesAndDryRunChangesNothing() throws {
        let fresh = path("fresh.sqlite")
        let dryRun = try collab(["migrate", "--dry-run", "--db", fresh], withDatabase: false)
        #expect(dryRun.status == 0)
        #expect(dryRun.out.hasPrefix("-- \(fresh) does not exist; it would be created\n-- migration 1: initial\n"))
        #expect(dryRun.out.contains("CREATE TABLE ops ("))
        #expect(!FileManager.default.fileExists(atPath: fresh))
        #expect(try collab(["migrate", "--db", fresh], withDatabase: false)
                == Result(status: 0, out: "applied migration 1: initial\napplied migration 2: drop_history_indexes\n"
                                         + "applied migration 3: clients_table\n"
                                         + "applied migration 4: named_versions_and_horizon\n", err: ""))
        let upToDate = "\(fresh) is up to date (schema version 4); nothing to apply\n"
        #expect(try collab(["migrate", "--db", fresh], withDatabase: false) == Result(status: 0, out: upToDate, err: ""))
        #expect(try collab(["migrate", "--dry-run", "--db", fresh], withDatabase: false)
                == Result(status: 0, out: upToDate, err: ""))
        #expect(try collab(["docs", "--db", fresh], withDatabase: false) == Result(status: 0, out: "", err: "no documents\n"))
    }
}
