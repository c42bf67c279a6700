import CollabTestSupport
import Foundation
import Testing
@testable import CollabAuth

/// `collab token` end to end: runs the built binary, then verifies what it prints with the library.
@Suite struct TokenCommandTests {
    typealias Result = ExecutableRun

    static let secretText = "a-test-secret-of-at-least-32-bytes"

    private func collab(_ arguments: [String], environment: [String: String]) throws -> Result {
        let binary = try #require(BuiltProduct.collab, "the collab executable was not built next to the tests")
        return try ExecutableRun.run(binary, arguments, environment: environment)
    }

    /// The one token line of a successful run, verified with `secret` at the current time.
    private func verifiedClaims(_ result: Result, secret: String = secretText) throws -> Claims {
        #expect(result.status == 0)
        #expect(result.err == "")
        #expect(result.out.hasSuffix("\n"))
        let lines = result.out.split(separator: "\n")
        #expect(lines.count == 1)
        let token = try #require(lines.first)
        return try JWT.verify(token, secret: JWTSecret(environmentValue: secret),
                              now: Date().timeIntervalSince1970)
    }

    @Test func signsWithTheEnvironmentSecret() throws {
        let before = Int(Date().timeIntervalSince1970)
        let result = try collab(["token", "--sub", "alice", "--role", "viewer", "--docs", "notes-*",
                                 "--docs", "plans", "--ttl", "1h30m", "--name", "Alice A."],
                                environment: ["COLLAB_AUTH_SECRET": Self.secretText])
        let claims = try verifiedClaims(result)
        let after = Int(Date().timeIntervalSince1970)
        #expect(claims.subject == "alice")
        #expect(claims.name == "Alice A.")
        #expect(claims.role == .viewer)
        #expect(claims.documents == [DocumentPattern("notes-*"), DocumentPattern("plans")])
        let issuedAt = try #require(claims.issuedAt)
        #expect(issuedAt >= before && issuedAt <= after)
        #expect(claims.expiresAt == issuedAt + 5400)
        #expect(claims.notBefore == nil)
        #expect(claims.allows(docId: "notes-1") && claims.allows(docId: "plans") && !claims.allows(docId: "other"))
        // Another secret does not verify it.
        let token = String(result.out.dropLast())
        #expect(throws: TokenError.badSignature) {
            try JWT.verify(token, secret: JWTSecret(environmentValue: Self.secretText + "x"),
                           now: Date().timeIntervalSince1970)
        }
    }

    @Test func defaultsAreEditorOnEveryDocumentForEightHours() throws {
        let claims = try verifiedClaims(try collab(["token", "--sub", "bob"],
                                                   environment: ["COLLAB_AUTH_SECRET": Self.secretText]))
        #expect(claims.role == .editor)
        #expect(claims.documents == [.any])
        #expect(claims.name == nil)
        #expect(claims.expiresAt - (claims.issuedAt ?? 0) == 8 * 3600)
    }

    @Test func secretFileWinsAndLosesItsNewline() throws {
        let fileSecret = "the-file-secret-the-file-secret-!"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("collab-token-\(UUID().uuidString)").path
        try Data((fileSecret + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["COLLAB_AUTH_SECRET": Self.secretText]
        let viaOption = try collab(["token", "--sub", "carol", "--auth-secret-file", path], environment: environment)
        #expect(try verifiedClaims(viaOption, secret: fileSecret).subject == "carol")
        let viaVariable = try collab(["token", "--sub", "carol"],
                                     environment: environment.merging(["COLLAB_AUTH_SECRET_FILE": path]) { $1 })
        #expect(try verifiedClaims(viaVariable, secret: fileSecret).subject == "carol")
    }

    @Test func failsClearlyWithoutAUsableSecret() throws {
        #expect(try collab(["token", "--sub", "ada"], environment: [:]) == Result(status: 1, out: "", err: """
            error: no token-signing secret: set COLLAB_AUTH_SECRET or pass --auth-secret-file (the server's own).

            """))
        #expect(try collab(["token", "--sub", "ada"], environment: ["COLLAB_AUTH_SECRET": "short"])
                == Result(status: 1, out: "", err: "error: the token-signing secret has 5 bytes; at least 32 are needed\n"))
        #expect(try collab(["token", "--sub", "ada", "--auth-secret-file", "/nonexistent/secret"],
                           environment: ["COLLAB_AUTH_SECRET": Self.secretText])
                == Result(status: 1, out: "", err: """
                    error: cannot read the token-signing secret file '/nonexistent/secret': No such file or directory

                    """))
    }

    @Test func usageErrors() throws {
        let environment = ["COLLAB_AUTH_SECRET": Self.secretText]
        #expect(try collab(["token", "--sub", "ada", "--docs", "my notes"], environment: environment) == Result(
            status: 2, out: "", err: """
                error: '--docs my notes' matches no document id (1-128 of A-Z a-z 0-9 . _ -, first a letter or digit).
                See 'collab token --help'.

                """))
        #expect(try collab(["token", "--sub", "", "--ttl", "1h"], environment: environment).status == 2)
        #expect(try collab(["token", "--sub", "ada", "--ttl", "0s"], environment: environment).status == 2)
        #expect(try collab(["token", "--sub", "ada", "--role", "owner"], environment: environment).status == 2)
        #expect(try collab(["token", "--role", "admin"], environment: environment).status == 2)
    }
}
