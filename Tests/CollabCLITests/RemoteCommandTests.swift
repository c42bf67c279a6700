#if canImport(Glibc)
import Glibc
#endif
import CollabTestSupport
import Foundation
import Testing

/// `docs`, `export`, `history` and `blame` with `--server`: the built `collab` against a child
/// `collab serve` on the fixture database of `OperatorCommandTests` must print exactly what it
/// prints reading the file.
@Suite(.serialized) struct RemoteCommandTests {
    let fixture: OperatorCommandTests

    init() throws {
        fixture = try OperatorCommandTests()
    }

    func collab(_ arguments: [String], environment: [String: String] = [:]) throws -> OperatorCommandTests.Result {
        let binary = try #require(BuiltProduct.collab, "the collab executable was not built next to the tests")
        return try ExecutableRun.run(binary, arguments, environment: environment)
    }

    static let commands: [[String]] = [
        ["docs"], ["docs", "--json"], ["docs", "--sort", "size", "--reverse"], ["docs", "--prefix", "no"],
        ["docs", "--since", "2025-11-22T08:26:43Z"],
        ["history", "notes"], ["history", "notes", "--json"], ["history", "notes", "--ops", "--user", "bob"],
        ["history", "notes", "--since", "2025-11-22T08:26:42Z"], ["history", "notes", "--from", "1", "--limit", "2"],
        ["blame", "notes"], ["blame", "notes", "--json"],
        ["export", "notes"], ["export", "notes", "--format", "json"], ["export", "notes", "--version", "2"],
        ["export", "notes", "--version", "0", "--format", "json"],
        ["export", "notes", "--at", "2025-11-22T08:26:41.500Z", "--format", "json"],
    ]

    @Test func remoteOutputEqualsLocalOutput() throws {
        let binary = try #require(BuiltProduct.collab)
        let server = try CollabProcess(binary: binary, database: fixture.db)
        for command in Self.commands {
            let local = try collab(command + ["--db", fixture.db])
            let remote = try collab(command + ["--server", server.url])
            #expect(local.status == 0, "\(command): \(local.err)")
            // The paging hint names the source it read from; the rest is the same.
            #expect(remote.out == local.out, "\(command)")
            #expect(remote.status == local.status, "\(command): \(remote.err)")
            #expect(remote.err.replacingOccurrences(of: "--server \(server.url)", with: "--db \(fixture.db)") == local.err,
                    "\(command)")
        }
        // Failures exit 1 in both modes.
        for command in [["export", "notes", "--at", "2020-01-01"], ["blame", "nothing"], ["history", "nothing"]] {
            let remote = try collab(command + ["--server", server.url])
            #expect(remote.status == 1 && remote.out == "", "\(command)")
            #expect(remote.err.hasPrefix("error: "), "\(command)")
        }
        #expect(try collab(["export", "notes", "--at", "2020-01-01", "--server", server.url]).err
                    .contains("did not exist yet at 2020-01-01T00:00:00.000Z"))
    }

    @Test func tokensAndTheirErrors() throws {
        let binary = try #require(BuiltProduct.collab)
        let secretFile = fixture.path("secret")
        try Data("a test secret that is long enough, 32+ bytes".utf8).write(to: URL(fileURLWithPath: secretFile))
        let server = try CollabProcess(binary: binary, database: fixture.db, arguments: ["--auth-secret-file", secretFile])
        func token(_ role: String, docs: String = "*") throws -> String {
            let made = try collab(["token", "--sub", "op", "--role", role, "--docs", docs, "--auth-secret-file", secretFile])
            #expect(made.status == 0, "\(made.err)")
            return made.out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let admin = try token("admin"), viewer = try token("viewer")
        let local = try collab(["docs", "--db", fixture.db])
        #expect(try collab(["docs", "--server", server.url, "--token", admin]) == local)
        #expect(try collab(["docs", "--server", server.url], environment: ["COLLAB_TOKEN": admin]) == local)

        let missing = try collab(["docs", "--server", server.url])
        #expect(missing.status == 1 && missing.out == "")
        #expect(missing.err.contains("needs a token") && missing.err.contains("--token or COLLAB_TOKEN"))
        let bad = try collab(["history", "notes", "--server", server.url, "--token", "not.a.token"])
        #expect(bad.status == 1 && bad.err.contains("refused the token"))
        let forbidden = try collab(["history", "notes", "--server", server.url, "--token", viewer])
        #expect(forbidden.status == 1 && forbidden.err.contains("admin role"))
        // A viewer may read the text and its blame.
        #expect(try collab(["blame", "notes", "--server", server.url, "--token", viewer])
                == collab(["blame", "notes", "--db", fixture.db]))
        #expect(try collab(["export", "notes", "--server", server.url, "--token", viewer]).out == "hel\nbig world\nbye\n")
        let otherDocs = try token("viewer", docs: "other-*")
        #expect(try collab(["export", "notes", "--server", server.url, "--token", otherDocs]).status == 1)
    }

    @Test func unreachableServerAndBadURL() throws {
        let refused = try collab(["docs", "--server", "http://127.0.0.1:1"])
        #expect(refused.status == 1 && refused.out == "")
        #expect(refused.err.contains("connection refused") && refused.err.contains("collab serve"))
        let bad = try collab(["export", "notes", "--server", "ftp://example.com"])
        #expect(bad.status == 2 && bad.err.contains("'--server'"))
    }
}
