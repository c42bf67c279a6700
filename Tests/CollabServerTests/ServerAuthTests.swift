import CollabAuth
import Foundation
import Testing

/// With a secret configured: 400 → 401 → 403 in the handshake and on HTTP, roles, expiry.
@Suite(.serialized) struct ServerAuthTests {
    static func upgradeStatus(_ harness: ServerTestHarness, _ target: String, headers: [(String, String)] = []) throws -> Int {
        try ServerTestConnection(port: harness.port).request(target, headers: headers, upgrade: true).status
    }

    @Test func handshakeChecksInOrder() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret) { $0.allowedOrigins = ["https://ok.example"] }
        let onlyNotes = ServerTestHarness.token(sub: "ada", docs: ["notes*"])
        // A bad id is 400 even without a token.
        #expect(try Self.upgradeStatus(harness, "/v1/docs/%41") == 400)
        #expect(try Self.upgradeStatus(harness, "/v1/docs/notes") == 401)
        #expect(try Self.upgradeStatus(harness, "/v1/docs/notes?token=not.a.jwt") == 401)
        #expect(try Self.upgradeStatus(harness, "/v1/docs/secret?token=\(onlyNotes)") == 403)
        #expect(try Self.upgradeStatus(harness, "/v1/docs/notes-2?token=\(onlyNotes)",
                                       headers: [("Origin", "https://evil.example")]) == 403)
        #expect(try Self.upgradeStatus(harness, "/v1/docs/notes-2", headers: [
            ("Origin", "https://ok.example"), ("Authorization", "Bearer \(onlyNotes)")]) == 101)
        // HTTP: same rules; the op log is for admins.
        #expect(try harness.get("/v1/docs/notes").status == 401)
        #expect(try harness.get("/v1/docs/secret?token=\(onlyNotes)").status == 403)
        #expect(try harness.get("/v1/docs/notes?token=\(onlyNotes)").status == 404)
        #expect(try harness.get("/v1/docs/notes/ops?token=\(onlyNotes)").status == 403)
        #expect(try harness.get("/v1/docs/notes/ops?token=\(ServerTestHarness.token(sub: "root", role: .admin))").status == 200)
        #expect(try harness.get("/metrics?token=\(onlyNotes)").status == 403)
        #expect(try harness.get("/healthz").status == 200)
    }

    @Test func viewerOpIsForbiddenAndSubIsTheUser() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        let editor = try harness.connect("shared", token: ServerTestHarness.token(sub: "ada"))
        _ = editor.join(clientId: "ada-client")
        editor.send(#"{"type":"op","seq":1,"v":0,"op":["x"]}"#)
        #expect(editor.receive(type: "ack") != nil)
        let viewer = try harness.connect("shared", token: ServerTestHarness.token(sub: "vic", role: .viewer))
        let joined = viewer.join(clientId: "vic-client").last
        #expect(joined?["role"]?.string == "viewer")
        viewer.send(#"{"type":"op","seq":1,"v":1,"op":["y"]}"#)
        let error = viewer.receive(type: "error")
        #expect(error?["code"]?.string == "forbidden" && error?["seq"]?.int == 1)
        let ops = try harness.get("/v1/docs/shared/ops?token=\(ServerTestHarness.token(sub: "root", role: .admin))")
        #expect(ops.body.contains(#""user":"ada""#))
    }

    @Test func expiringTokenCloses4401() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        // exp 4 s ago is still inside the 5 s leeway: valid for about one more second.
        let token = ServerTestHarness.token(sub: "ada", expiresIn: -4)
        let client = try harness.connect("expiring", token: token)
        _ = client.join(clientId: "ada-client")
        let start = ContinuousClock.now
        #expect(client.awaitClose() == 4401)
        #expect(ContinuousClock.now - start < .seconds(3))
    }
}
