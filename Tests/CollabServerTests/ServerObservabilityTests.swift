import CollabJSON
import CollabServer
import CollabStorage
import Foundation
import Testing

/// `/metrics` as valid Prometheus text with every family, and log events as JSON lines that
/// carry the events and never a token or document text.
@Suite(.serialized) struct ServerObservabilityTests {
    static let secretText = "TOP-SECRET-TEXT-42"

    @Test func metricsExpositionIsValidAndComplete() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        let token = ServerTestHarness.token(sub: "ada")
        let client = try harness.connect("observed", token: token)
        _ = client.join(clientId: "ada-client")
        for seq in 1...3 {
            client.send(#"{"type":"op","seq":\#(seq),"v":\#(seq - 1),"op":[\#(seq == 1 ? "" : "\(seq - 1),")"x"]}"#)
            #expect(client.receive(type: "ack")?["seq"]?.int == seq)
        }
        client.send("{nope")
        #expect(client.receive(type: "error")?["code"]?.string == "bad_message")
        #expect(try ServerTestConnection(port: harness.port).request("/v1/docs/observed", upgrade: true).status == 401)
        var other: ServerTestConnection? = try harness.connect("observed", token: ServerTestHarness.token(sub: "bob"))
        _ = other?.join(clientId: "bob-client")
        other?.send(#"{"type":"ping","id":1}"#)
        #expect(other?.receive(type: "pong") != nil)
        // A clean close, seen by the server as 1000; dropping the socket ends TCP at once.
        other?.sendClose(code: 1000)
        #expect(other?.awaitClose() == 1000)
        other = nil

        let admin = ServerTestHarness.token(sub: "root", role: .admin)
        let metrics = try #require(harness.eventually { () -> PrometheusText? in
            guard let text = try? PrometheusText(parsing: harness.get("/metrics?token=\(admin)").body),
                  text.value("collab_closes_total", ["code": "1000"]) == 1 else { return nil }
            return text
        })
        let expectedTypes = [
            "collab_connections_open": "gauge", "collab_rooms_loaded": "gauge", "collab_joins_total": "counter",
            "collab_ops_committed_total": "counter", "collab_commit_duration_seconds": "histogram",
            "collab_commit_group_size": "histogram", "collab_messages_received_total": "counter",
            "collab_messages_sent_total": "counter", "collab_bytes_received_total": "counter",
            "collab_bytes_sent_total": "counter", "collab_errors_total": "counter", "collab_closes_total": "counter",
            "collab_handshakes_rejected_total": "counter",
        ]
        for (family, type) in expectedTypes {
            #expect(metrics.types[family] == type, "\(family)")
        }
        #expect(metrics.value("collab_connections_open") == 1)
        #expect(metrics.value("collab_rooms_loaded") == 1)
        #expect(metrics.value("collab_joins_total") == 2)
        #expect(metrics.value("collab_ops_committed_total") == 3)
        let commits = try #require(metrics.value("collab_commit_duration_seconds_count"))
        #expect(commits >= 1 && commits <= 3)
        #expect(metrics.value("collab_commit_group_size_count") == commits)
        #expect(metrics.value("collab_commit_group_size_sum").map { $0 >= 3 } == true)
        #expect(metrics.value("collab_messages_received_total").map { $0 >= 7 } == true)
        #expect(metrics.value("collab_bytes_received_total").map { $0 > 100 } == true)
        // Out: snapshot + joined (x2), 3 acks, an error, bob's presence and op relays, pong...
        #expect(metrics.value("collab_messages_sent_total").map { $0 >= 9 } == true)
        #expect(metrics.value("collab_bytes_sent_total").map { $0 > 100 } == true)
        #expect(metrics.value("collab_errors_total", ["code": "bad_message"]) == 1)
        #expect(metrics.value("collab_errors_total", ["code": "too_large"]) == 0)
        #expect(metrics.value("collab_handshakes_rejected_total", ["status": "401"]) == 1)
    }

    @Test func logEventsAreJSONLinesWithoutSecrets() throws {
        let capture = LogCapture()
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret) {
            $0.logEvent = capture.sink
            $0.logLevel = .debug
        }
        let token = ServerTestHarness.token(sub: "ada")
        let expired = ServerTestHarness.token(sub: "ada", expiresIn: -60)
        var client: ServerTestConnection! = try harness.connect("logged", token: token)
        _ = client.join(clientId: "ada-client")
        client.send(#"{"type":"op","seq":1,"v":0,"op":["\#(Self.secretText)"]}"#)
        #expect(client.receive(type: "ack") != nil)
        client.send(#"{"type":"op","seq":2,"v":1,"op":[99,"\#(Self.secretText)"]}"#)  // bad_op
        #expect(client.receive(type: "error")?["code"]?.string == "bad_op")
        let refused = try ServerTestConnection(port: harness.port)
            .request("/v1/docs/logged?a=1&token=\(expired)", upgrade: true)
        #expect(refused.status == 401)
        let bearer = try ServerTestConnection(port: harness.port)
            .request("/v1/docs/logged", headers: [("Authorization", "Bearer \(expired)")], upgrade: true)
        #expect(bearer.status == 401)
        client.sendClose(code: 1000)
        #expect(client.awaitClose() == 1000)
        client = nil
        _ = harness.eventually { capture.events("disconnect").isEmpty ? nil : true }
        harness.stop()

        let lines = capture.all.map(\.jsonLine) + capture.all.map(\.textLine)
        for line in lines {
            #expect(!line.contains(token) && !line.contains(expired) && !line.contains(Self.secretText), "\(line)")
            #expect(!line.contains("\n"))
        }
        let objects = try capture.all.map { try JSONReader.parse($0.jsonLine) }
        for object in objects {
            #expect(object["ts"]?.string?.hasSuffix("Z") == true && object["level"]?.string != nil
                    && object["event"]?.string != nil && object["msg"]?.string != nil)
        }
        func events(_ name: String) -> [JSONValue] { objects.filter { $0["event"]?.string == name } }
        let connect = try #require(events("connect").first)
        #expect(connect["doc"]?.string == "logged" && connect["user"]?.string == "ada")
        #expect(connect["remote"]?.string?.hasPrefix("127.0.0.1:") == true)
        let disconnect = try #require(events("disconnect").first)
        #expect(disconnect["code"]?.int == 1000 && disconnect["user"]?.string == "ada")
        #expect(disconnect["duration_ms"]?.int.map { $0 >= 0 } == true)
        #expect(disconnect["client"]?.string == "ada-client")
        let refusals = events("refused")
        #expect(refusals.count == 2 && refusals.allSatisfy { $0["status"]?.int == 401 })
        #expect(refusals.first?["target"]?.string == "/v1/docs/logged?a=1&token=REDACTED")
        #expect(refusals.first?["msg"]?.string == "the token has expired")
        #expect(events("client_error").first?["code"]?.string == "bad_op")
    }

    @Test func storageProblemsAreErrorEvents() throws {
        let capture = LogCapture()
        let harness = try ServerTestHarness { $0.logEvent = capture.sink }
        // A document whose op log cannot be replayed: the room does not load, the client gets 1011.
        harness.stop()
        let database = try Database(path: harness.databasePath)
        try database.execute("""
            INSERT INTO ops (doc, version, client_id, seq, user, ts, length, op, deleted)
            VALUES ('broken', 0, 'c', 1, 'u', 0, 1, '[5,"x"]', '[]')
            """)
        try harness.start { $0.logEvent = capture.sink }
        let client = try harness.connect("broken")
        #expect(client.awaitClose() == 1011)
        let error = try #require(capture.events("error").first)
        #expect(error.level == .error && error.message.contains("broken"))
        try harness.expectServing()
    }

    @Test func redactedTargetHidesEveryTokenSpelling() {
        #expect(ServerLogEvent.redactedTarget("/v1/docs/a") == "/v1/docs/a")
        #expect(ServerLogEvent.redactedTarget("/v1/docs/a?token=abc.def.ghi") == "/v1/docs/a?token=REDACTED")
        #expect(ServerLogEvent.redactedTarget("/m?x=1&TOKEN=s&y=2&token=t") == "/m?x=1&TOKEN=REDACTED&y=2&token=REDACTED")
        #expect(ServerLogEvent.redactedTarget("/m?%74oken=s") == "/m?%74oken=REDACTED")
        #expect(ServerLogEvent.redactedTarget("/m?tokens=keep") == "/m?tokens=keep")
    }

    @Test func textAndJSONLinesOfAnEvent() throws {
        let event = ServerLogEvent(.warning, "refused", "too many", fields: [("status", .integer(503)), ("doc", .string("a b"))])
        #expect(event.textLine == #"collab: warning: refused: too many status=503 doc="a b""#)
        let object = try JSONReader.parse(event.jsonLine)
        #expect(object["level"]?.string == "warning" && object["status"]?.int == 503 && object["doc"]?.string == "a b")
        #expect(ServerLogEvent.Level(name: "debug") == .debug && ServerLogEvent.Level(name: "loud") == nil)
        #expect(ServerLogEvent.Level.debug < .error)
    }
}
