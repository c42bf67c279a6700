import CollabJSON
import Testing

/// The HTTP side of the port: health, document text, op log paging, errors.
@Suite(.serialized) struct ServerHTTPTests {
    /// Writes `count` single-character ops to `document` through one client.
    static func write(_ count: Int, to document: String, on harness: ServerTestHarness) throws {
        let client = try harness.connect(document)
        _ = client.join(clientId: "writer-client")
        for seq in 1...count {
            client.send(#"{"type":"op","seq":\#(seq),"v":\#(seq - 1),"op":[\#(seq - 1 == 0 ? "" : "\(seq - 1),")"\#(seq % 10)"]}"#)
            #expect(client.receive(type: "ack")?["v"]?.int == seq - 1)
        }
    }

    @Test func healthAndMetrics() throws {
        let harness = try ServerTestHarness()
        let health = try harness.get("/healthz")
        #expect(health.status == 200 && health.body == "ok")
        try Self.write(2, to: "m", on: harness)
        let metrics = try harness.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("collab_ops_committed_total 2"))
        #expect(metrics.body.contains("collab_joins_total 1"))
        #expect(metrics.body.contains("collab_commit_duration_seconds_count"))
        #expect(try harness.get("/nothing").status == 404)
    }

    @Test func nodeIdInMetrics() throws {
        let harness = try ServerTestHarness()
        #expect(harness.server?.nodeId == "127.0.0.1:\(harness.port)")
        #expect(try harness.get("/metrics").body.contains("collab_node_info{node=\"127.0.0.1:\(harness.port)\"} 1"))
        let named = try ServerTestHarness { $0.nodeId = #"eu-1 "blue""# }
        #expect(try named.get("/metrics").body.contains(#"collab_node_info{node="eu-1 \"blue\""} 1"#))
    }

    @Test func documentTextAtVersions() throws {
        let harness = try ServerTestHarness { $0.room.snapshotInterval = 2 }
        try Self.write(5, to: "doc.1", on: harness)
        let current = try JSONReader.parse(harness.get("/v1/docs/doc.1").body)
        #expect(current["id"]?.string == "doc.1" && current["version"]?.int == 5 && current["text"]?.string == "12345")
        #expect(try JSONReader.parse(harness.get("/v1/docs/doc.1?version=3").body)["text"]?.string == "123")
        #expect(try JSONReader.parse(harness.get("/v1/docs/doc.1?version=0").body)["text"]?.string == "")
        #expect(try harness.get("/v1/docs/doc.1?version=6").status == 404)
        let bad = try harness.get("/v1/docs/doc.1?version=-1")
        #expect(bad.status == 400 && bad.body.contains(#""error":"bad_request""#))
        #expect(try harness.get("/v1/docs/never-written").status == 404)
        #expect(try harness.get("/v1/docs/bad%20id").status == 400)
        #expect(try harness.get("/v1/docs/.dot").status == 400)
    }

    @Test func opsPaging() throws {
        let harness = try ServerTestHarness()
        try Self.write(5, to: "paged", on: harness)
        let all = try JSONReader.parse(harness.get("/v1/docs/paged/ops").body).array ?? []
        #expect(all.compactMap { $0["v"]?.int } == [0, 1, 2, 3, 4])
        #expect(all.first?["type"]?.string == "op" && all.first?["clientId"]?.string == "writer-client")
        let page = try JSONReader.parse(harness.get("/v1/docs/paged/ops?from=2&limit=2").body).array ?? []
        #expect(page.compactMap { $0["seq"]?.int } == [3, 4])
        #expect(try harness.get("/v1/docs/paged/ops?from=9").body == "[]")
        #expect(try harness.get("/v1/docs/paged/ops?limit=x").status == 400)
    }

    /// A document may be named `ops`: only a segment after the id selects the op log.
    @Test func documentNamedOps() throws {
        let harness = try ServerTestHarness()
        try Self.write(2, to: "ops", on: harness)
        let text = try JSONReader.parse(harness.get("/v1/docs/ops").body)
        #expect(text["id"]?.string == "ops" && text["text"]?.string == "12")
        let log = try JSONReader.parse(harness.get("/v1/docs/ops/ops").body).array ?? []
        #expect(log.compactMap { $0["v"]?.int } == [0, 1])
    }

    @Test func badDocumentIdUpgradeIs400() throws {
        let harness = try ServerTestHarness()
        let connection = try ServerTestConnection(port: harness.port)
        let response = try connection.request("/v1/docs/a%2Fb", upgrade: true)
        #expect(response.status == 400)
        #expect(response.body.contains(#""error":"bad_request""#))
    }
}
