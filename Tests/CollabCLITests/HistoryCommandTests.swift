import CollabStorage
import CollabTestSupport
import Foundation
import Testing

/// `diff`, `versions`, `tag`, `restore`, `compact` and `delete`, run as the built binary on the
/// fixture of `OperatorCommandTests` ("notes": 4 ops; texts below), locally and with --server.
@Suite(.serialized) struct HistoryCommandTests {
    typealias Result = ExecutableRun
    let fixture: OperatorCommandTests

    init() throws {
        fixture = try OperatorCommandTests()
    }

    func collab(_ arguments: [String], withDatabase: Bool = true) throws -> Result {
        try fixture.collab(arguments, withDatabase: withDatabase)
    }

    @Test func diffPrintsAUnifiedDiffOrTheOp() throws {
        #expect(try collab(["diff", "notes", "1", "4"]) == Result(status: 0, out: """
            --- notes@1
            +++ notes@4
            @@ -1,2 +1,3 @@
            -hello
            -world
            +hel
            +big world
            +bye

            """, err: ""))
        // <to> defaults to the current version; equal texts print nothing.
        #expect(try collab(["diff", "notes", "1"]).out == collab(["diff", "notes", "1", "4"]).out)
        #expect(try collab(["diff", "notes", "2", "2"]) == Result(status: 0, out: "", err: ""))
        #expect(try collab(["diff", "notes", "3", "4", "--op"]) == Result(status: 0, out: "[3,{\"d\":2}]\n", err: ""))
        #expect(try collab(["diff", "notes", "1", "2", "--color", "always"]).out.contains("\u{1B}[32m+big world\u{1B}[0m"))
        #expect(try collab(["diff", "notes", "3", "1"]).status == 2)
        #expect(try collab(["diff", "notes", "x"]).status == 2)
        let beyond = try collab(["diff", "notes", "1", "9"])
        #expect(beyond.status == 1 && beyond.err.contains("version 9 does not exist"))
        #expect(try collab(["diff", "nothing", "0"]).status == 1)
    }

    @Test func tagVersionsAndRestore() throws {
        #expect(try collab(["tag", "notes", "first draft", "--version", "1", "--user", "ada"])
                == Result(status: 0, out: "named version 1 of 'notes' 'first draft'\n", err: ""))
        #expect(try collab(["tag", "notes", "now"]).out == "named version 4 of 'notes' 'now'\n")
        let taken = try collab(["tag", "notes", "now"])
        #expect(taken.status == 1 && taken.err.contains("already has a version named 'now'"))
        #expect(try collab(["tag", "notes", ""]).status == 2)
        #expect(try collab(["tag", "notes", "late", "--version", "9"]).status == 1)
        let listed = try collab(["versions", "notes"])
        #expect(listed.status == 0)
        #expect(listed.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).first ?? "" }
                == ["1", "4"])
        #expect(listed.out.contains("ada       first draft") || listed.out.contains("ada  first draft")
                || listed.out.contains("first draft"))
        #expect(try collab(["versions", "notes", "--json"]).out.contains(#""name":"first draft","version":1,"user":"ada""#))
        // Restore by name: one new version with the old text; again: nothing stored.
        #expect(try collab(["restore", "notes", "--name", "first draft"]).out
                == "restored 'notes' to the text of version 1 as version 4\n")
        #expect(try collab(["export", "notes"]).out == "hello\nworld\n")
        #expect(try collab(["export", "notes", "--version", "4"]).out == "hel\nbig world\nbye\n")
        #expect(try collab(["restore", "notes", "--version", "1"]).out.contains("nothing stored (version 5)"))
        #expect(try collab(["restore", "notes", "--version", "3"]).out.contains("as version 5"))
        #expect(try collab(["export", "notes"]).out == "hello\nbig world\nbye\n")
        #expect(try collab(["history", "notes", "--from", "4"]).out.split(separator: "\n").count == 2)
        #expect(try collab(["restore", "notes"]).status == 2)
        #expect(try collab(["restore", "notes", "--version", "1", "--name", "x"]).status == 2)
        #expect(try collab(["restore", "notes", "--name", "nope"]).status == 1)
        #expect(try collab(["verify"]).status == 0)
    }

    @Test func compactKeepsRecentHistoryAndSaysWhatItFreed() throws {
        try collab(["tag", "notes", "start", "--version", "1"]).expectSuccess()
        let dry = try collab(["compact", "notes", "--keep-versions", "1", "--dry-run"])
        #expect(dry.status == 0 && dry.out.hasPrefix("notes: horizon 0 → 3: would remove 3 operations"))
        #expect(try collab(["export", "notes", "--version", "1"]).status == 0)
        let done = try collab(["compact", "notes", "--keep-versions", "1"])
        #expect(done.status == 0 && done.out.hasPrefix("notes: horizon 0 → 3: removed 3 operations"))
        #expect(try collab(["export", "notes", "--version", "3"]).out == "hello\nbig world\nbye\n")
        #expect(try collab(["export", "notes"]).out == "hel\nbig world\nbye\n")
        let gone = try collab(["export", "notes", "--version", "2"])
        #expect(gone.status == 1 && gone.err.contains("compacted at version 3"))
        #expect(try collab(["diff", "notes", "1"]).status == 1)
        #expect(try collab(["restore", "notes", "--version", "1"]).status == 1)
        // The named version's text survives, and restoring it by name works.
        #expect(try collab(["restore", "notes", "--name", "start"]).out.contains("as version 4"))
        #expect(try collab(["verify"]).status == 0)
        #expect(try collab(["blame", "notes"]).out.contains("before version 3"))
        #expect(try collab(["compact", "notes", "--keep-versions", "5"]).out.contains("nothing before version 0"))
        #expect(try collab(["compact", "--all", "--older-than", "1d"]).status == 0)
        #expect(try collab(["compact", "notes"]).status == 2)
        #expect(try collab(["compact", "--keep-versions", "1"]).status == 2)
    }

    @Test func deleteNeedsConfirmationAndFreesTheId() throws {
        let refused = try collab(["delete", "notes"])
        #expect(refused.status == 1 && refused.err.contains("pass --yes"))
        #expect(try collab(["export", "notes"]).status == 0)
        #expect(try collab(["delete", "notes", "--yes"]) == Result(status: 0, out: "deleted 'notes'\n", err: ""))
        #expect(try collab(["export", "notes"]).status == 1)
        #expect(try collab(["delete", "notes", "--yes"]).status == 1)
        #expect(try collab(["verify"]).status == 0)
    }

    @Test func throughARunningServer() throws {
        let binary = try #require(BuiltProduct.collab)
        let server = try CollabProcess(binary: binary, database: fixture.db)
        let remote = ["--server", server.url]
        #expect(try collab(["diff", "notes", "1", "4"] + remote, withDatabase: false).out
                == collab(["diff", "notes", "1", "4"]).out)
        #expect(try collab(["tag", "notes", "one", "--version", "1"] + remote, withDatabase: false).status == 0)
        #expect(try collab(["versions", "notes", "--json"] + remote, withDatabase: false).out.contains(#""name":"one""#))
        #expect(try collab(["restore", "notes", "--name", "one"] + remote, withDatabase: false).out
                == "restored 'notes' to the text of version 1 as version 4\n")
        #expect(try collab(["export", "notes"] + remote, withDatabase: false).out == "hello\nworld\n")
        let compacted = try collab(["compact", "notes", "--keep-versions", "2"] + remote, withDatabase: false)
        #expect(compacted.status == 0 && compacted.out.hasPrefix("notes: horizon 0 → 3: removed 3 operations"))
        let gone = try collab(["export", "notes", "--version", "1"] + remote, withDatabase: false)
        #expect(gone.status == 1 && gone.err.contains("compacted at version 3"))
        #expect(try collab(["delete", "notes", "--yes"] + remote, withDatabase: false).out == "deleted 'notes'\n")
        #expect(try collab(["export", "notes"] + remote, withDatabase: false).status == 1)
    }
}

extension ExecutableRun {
    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 0, "\(err)", sourceLocation: sourceLocation)
    }
}
