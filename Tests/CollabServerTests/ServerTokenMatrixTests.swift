import CollabAuth
import CollabJSON
import Foundation
import Testing

/// Every kind of bad token, on the WebSocket handshake and the HTTP API: its exact status
/// and reason, nothing of the document in the answer, and the server still serving others.
@Suite(.serialized) struct ServerTokenMatrixTests {
    static let documentText = "confidential-text-91"

    /// `header.payload.signature` signed with HMAC-SHA256 under `key`, whatever the header says.
    static func forge(header: String, payload: String, key: [UInt8] = ServerTestHarness.secret.bytes) -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return signingInput + "." + Base64URL.encode(HMACSHA256.authenticationCode(of: Array(signingInput.utf8), key: key))
    }

    struct Case {
        var name: String
        var token: String
        var status: Int
        /// A fragment of the JSON body's `message`.
        var reason: String
    }

    static func cases() -> [Case] {
        let now = Int(Date().timeIntervalSince1970)
        let hs256 = #"{"alg":"HS256","typ":"JWT"}"#
        let good = #"{"sub":"ada","exp":\#(now + 3_600)}"#
        let valid = forge(header: hs256, payload: good)
        let parts = valid.split(separator: ".").map(String.init)
        let signedBadPayload: String = {
            let input = parts[0] + ".eyJzdWIi+" // '+' is not base64url
            return input + "." + Base64URL.encode(HMACSHA256.authenticationCode(of: Array(input.utf8),
                                                                                 key: ServerTestHarness.secret.bytes))
        }()
        return [
            Case(name: "expired", token: forge(header: hs256, payload: #"{"sub":"ada","exp":\#(now - 60)}"#),
                 status: 401, reason: "expired"),
            Case(name: "not yet valid",
                 token: forge(header: hs256, payload: #"{"sub":"ada","exp":\#(now + 3_600),"nbf":\#(now + 600)}"#),
                 status: 401, reason: "not valid yet"),
            Case(name: "wrong signature",
                 token: forge(header: hs256, payload: good, key: Array("another secret, also long enough!!".utf8)),
                 status: 401, reason: "signature does not match"),
            Case(name: "alg none, unsigned", token: Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + ".",
                 status: 401, reason: "not a JWT"),
            Case(name: "alg none, with a signature", token: forge(header: #"{"alg":"none"}"#, payload: good),
                 status: 401, reason: "'none'"),
            Case(name: "wrong alg HS512", token: forge(header: #"{"alg":"HS512","typ":"JWT"}"#, payload: good),
                 status: 401, reason: "'HS512'"),
            Case(name: "wrong alg RS256", token: forge(header: #"{"alg":"RS256"}"#, payload: good),
                 status: 401, reason: "'RS256'"),
            Case(name: "malformed base64 header", token: "eyJ!!." + parts[1] + "." + parts[2],
                 status: 401, reason: "header is not base64url"),
            Case(name: "malformed base64 payload (signed)", token: signedBadPayload,
                 status: 401, reason: "payload is not base64url"),
            Case(name: "payload not JSON", token: forge(header: hs256, payload: "not json"),
                 status: 401, reason: "payload is not a JSON object"),
            Case(name: "not a JWT at all", token: "abc", status: 401, reason: "not a JWT"),
            Case(name: "missing sub", token: forge(header: hs256, payload: #"{"exp":\#(now + 3_600)}"#),
                 status: 401, reason: "no 'sub' claim"),
            Case(name: "missing exp", token: forge(header: hs256, payload: #"{"sub":"ada"}"#),
                 status: 401, reason: "no 'exp' claim"),
            Case(name: "empty sub", token: forge(header: hs256, payload: #"{"sub":"","exp":\#(now + 3_600)}"#),
                 status: 401, reason: "'sub' claim is invalid"),
            Case(name: "unknown role",
                 token: forge(header: hs256, payload: #"{"sub":"ada","exp":\#(now + 3_600),"role":"owner"}"#),
                 status: 401, reason: "'role' claim is invalid"),
            Case(name: "doc not covered",
                 token: forge(header: hs256, payload: #"{"sub":"ada","exp":\#(now + 3_600),"docs":["other*"]}"#),
                 status: 403, reason: "does not allow document"),
            Case(name: "no docs at all",
                 token: forge(header: hs256, payload: #"{"sub":"ada","exp":\#(now + 3_600),"docs":[]}"#),
                 status: 403, reason: "does not allow document"),
        ]
    }

    @Test func everyBadTokenIsRefusedBeforeTheUpgradeAndOthersKeepWorking() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        let writerToken = ServerTestHarness.token(sub: "writer")
        // A client already editing the document stays connected through all of it.
        let writer = try harness.connect("matrix", token: writerToken)
        _ = writer.join(clientId: "writer-client")
        writer.send(#"{"type":"op","seq":1,"v":0,"op":["\#(Self.documentText)"]}"#)
        #expect(writer.receive(type: "ack")?["v"]?.int == 0)

        for testCase in Self.cases() {
            for (kind, headers, target) in [
                ("query", [(String, String)](), "/v1/docs/matrix?token=\(testCase.token)"),
                ("bearer", [("Authorization", "Bearer \(testCase.token)")], "/v1/docs/matrix"),
            ] {
                let connection = try ServerTestConnection(port: harness.port)
                let upgrade = try connection.request(target, headers: headers, upgrade: true)
                let context = Comment(rawValue: "\(testCase.name) (\(kind)): \(upgrade.status) \(upgrade.body)")
                #expect(upgrade.status == testCase.status, context)
                let body = try JSONReader.parse(upgrade.body)
                #expect(body["error"]?.string == (testCase.status == 401 ? "unauthorized" : "forbidden"), context)
                #expect(body["message"]?.string?.contains(testCase.reason) == true, context)
                #expect(!upgrade.body.contains(Self.documentText) && !upgrade.headers.contains("Upgrade"), context)
                // No WebSocket: the server closes the connection after the answer.
                #expect(connection.receive() == nil, context)
                let read = try harness.get(target, headers: headers)
                #expect(read.status == testCase.status && !read.body.contains(Self.documentText), context)
            }
        }

        // Two different tokens at once is ambiguous: 401.
        let twoTokens = try ServerTestConnection(port: harness.port).request(
            "/v1/docs/matrix?token=\(writerToken)", headers: [("Authorization", "Bearer \(ServerTestHarness.token(sub: "bob"))")],
            upgrade: true)
        #expect(twoTokens.status == 401)

        // A viewer's token opens the socket, but its op is refused with forbidden.
        let viewer = try harness.connect("matrix", token: ServerTestHarness.token(sub: "vic", role: .viewer))
        #expect(viewer.join(clientId: "viewer-client").last?["role"]?.string == "viewer")
        #expect(try harness.get("/v1/docs/matrix?token=\(ServerTestHarness.token(sub: "vic", role: .viewer))").status == 200)
        viewer.send(#"{"type":"op","seq":1,"v":1,"op":[1,"x"]}"#)
        let refusal = viewer.receive(type: "error")
        #expect(refusal?["code"]?.string == "forbidden" && refusal?["seq"]?.int == 1)

        // The writer kept its session and still edits; a fresh valid token still connects.
        writer.send(#"{"type":"op","seq":2,"v":1,"op":[\#(Self.documentText.count),"!"]}"#)
        #expect(writer.receive(type: "ack")?["v"]?.int == 1)
        #expect(viewer.receive(type: "op")?["v"]?.int == 1)
        try harness.expectServing(token: ServerTestHarness.token(sub: "late"))
        #expect(try JSONReader.parse(harness.get("/v1/docs/matrix?token=\(writerToken)").body)["text"]?.string
                == Self.documentText + "!")
    }
}
