import CollabAuth
import CollabJSON
import CollabStorage
import Foundation
import Testing

/// The collab report endpoints beyond contract §3: `GET /v1/docs`, `/v1/docs/{id}/history`,
/// `/v1/docs/{id}/blame` and `/v1/docs/{id}?at=TIME`, each against a live server whose
/// database was filled by real WebSocket edits.
@Suite(.serialized) struct ServerReportTests {
    /// "a\nb\n" typed by two users: ada writes "a\n", bob "b\n" (on document `doc`).
    static func typeTwoLines(_ harness: ServerTestHarness, doc: String = "lines", token: (String) -> String? = { _ in nil }) throws {
        let ada = try harness.connect(doc, token: token("ada"))
        _ = ada.join(clientId: "client-ada")
        ada.send(#"{"type":"op","seq":1,"v":0,"op":["a\n"]}"#)
        #expect(ada.receive(type: "ack")?["v"]?.int == 0)
        let bob = try harness.connect(doc, token: token("bob"))
        _ = bob.join(clientId: "client-bob")
        bob.send(#"{"type":"op","seq":1,"v":1,"op":[2,"b\n"]}"#)
        #expect(bob.receive(type: "ack")?["v"]?.int == 1)
    }

    static func array(_ body: String) throws -> [JSONValue] {
        guard case .array(let items) = try JSONReader.parse(body) else { return [] }
        return items
    }

    @Test func documentListWithPrefix() throws {
        let harness = try ServerTestHarness()
        try Self.typeTwoLines(harness, doc: "notes-1")
        try ServerHTTPTests.write(3, to: "other", on: harness)
        let all = try Self.array(harness.get("/v1/docs").body).compactMap(DocumentInfo.init(json:))
        #expect(all.map(\.id) == ["notes-1", "other"])
        #expect(all.first?.version == 2 && all.first?.length == 4)
        let stored = try SQLiteOpStore.openForReading(path: harness.databasePath).listDocuments()
        #expect(all == stored)
        let notes = try Self.array(harness.get("/v1/docs?prefix=notes%2D").body)
        #expect(notes.count == 1)
        #expect(try harness.get("/v1/docs?prefix=zzz").body == "[]")
        #expect(try harness.get("/v1/docs?prefix=%zz").status == 400)
    }

    @Test func historyPagesAndFilters() throws {
        let harness = try ServerTestHarness()
        try Self.typeTwoLines(harness)
        let all = try Self.array(harness.get("/v1/docs/lines/history").body)
        #expect(all.compactMap { $0["v"]?.int } == [0, 1])
        let records = all.compactMap { OpRecord(historyJSON: $0, doc: "lines") }
        let stored = try SQLiteOpStore.openForReading(path: harness.databasePath).history(doc: "lines", limit: 10)
        #expect(records.map(\.opJSON) == stored.map(\.opJSON))
        #expect(records.map(\.ts) == stored.map(\.ts))
        #expect(all.first?["time"]?.string == ISO8601Time.format(milliseconds: stored[0].ts))
        #expect(try Self.array(harness.get("/v1/docs/lines/history?from=1&limit=5").body).compactMap { $0["v"]?.int } == [1])
        #expect(try Self.array(harness.get("/v1/docs/lines/history?limit=1").body).count == 1)
        #expect(try harness.get("/v1/docs/lines/history?from=9").body == "[]")
        // A since after the last op, and a user who wrote nothing: empty pages.
        let later = ISO8601Time.format(milliseconds: stored[1].ts + 1)
        #expect(try harness.get("/v1/docs/lines/history?since=\(later)").body == "[]")
        #expect(try harness.get("/v1/docs/lines/history?user=nobody").body == "[]")
        #expect(try Self.array(harness.get("/v1/docs/lines/history?limit=5000").body).count == 2)
        #expect(try harness.get("/v1/docs/lines/history?since=yesterday").status == 400)
        #expect(try harness.get("/v1/docs/lines/history?limit=-1").status == 400)
        #expect(try harness.get("/v1/docs/never/history").status == 404)
        #expect(try harness.get("/v1/docs/.bad/history").status == 400)
    }

    @Test func blameAttributesLines() throws {
        let harness = try ServerTestHarness()
        try Self.typeTwoLines(harness)
        let lines = try Self.array(harness.get("/v1/docs/lines/blame").body).compactMap(BlameLine.init(json:))
        #expect(lines.map(\.text) == ["a", "b"])
        #expect(lines.map(\.version) == [0, 1])
        let stored = try Blame.lines(store: SQLiteOpStore.openForReading(path: harness.databasePath), doc: "lines")
        #expect(lines == stored)
        let missing = try harness.get("/v1/docs/never/blame")
        #expect(missing.status == 404 && missing.body.contains(#""error":"not_found""#))
    }

    @Test func textAtATime() throws {
        let harness = try ServerTestHarness()
        try Self.typeTwoLines(harness)
        let stored = try SQLiteOpStore.openForReading(path: harness.databasePath).history(doc: "lines", limit: 10)
        let first = ISO8601Time.format(milliseconds: stored[0].ts)
        let answer = try JSONReader.parse(harness.get("/v1/docs/lines?at=\(first)").body)
        #expect(answer["version"]?.int == 1 && answer["text"]?.string == "a\n")
        #expect(answer["ts"]?.int == Int(stored[0].ts) && answer["time"]?.string == first)
        let now = try JSONReader.parse(harness.get("/v1/docs/lines?at=2999-01-01").body)
        #expect(now["version"]?.int == 2 && now["text"]?.string == "a\nb\n")
        // The contract's own forms carry ts and time too.
        #expect(try JSONReader.parse(harness.get("/v1/docs/lines").body)["ts"]?.int == Int(stored[1].ts))
        #expect(try JSONReader.parse(harness.get("/v1/docs/lines?version=0").body)["ts"] == .null)
        let before = try harness.get("/v1/docs/lines?at=2000-01-01T00:00:00Z")
        #expect(before.status == 404 && before.body.contains("did not exist yet"))
        #expect(try harness.get("/v1/docs/lines?at=noon").status == 400)
        #expect(try harness.get("/v1/docs/lines?at=2025-01-01&version=1").status == 400)
        #expect(try harness.get("/v1/docs/never?at=2025-01-01").status == 404)
    }

    @Test func tokensDecideWhoGetsWhichReport() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        try Self.typeTwoLines(harness) { ServerTestHarness.token(sub: $0) }
        func get(_ target: String, _ token: String?) throws -> Int {
            try harness.get(target, headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []).status
        }
        let admin = ServerTestHarness.token(sub: "root", role: .admin)
        let viewer = ServerTestHarness.token(sub: "vic", role: .viewer)
        let otherDocs = ServerTestHarness.token(sub: "eve", role: .admin, docs: ["other-*"])
        let expired = ServerTestHarness.token(sub: "old", role: .admin, expiresIn: -60)
        for target in ["/v1/docs", "/v1/docs/lines/history", "/v1/docs/lines/blame", "/v1/docs/lines?at=2999-01-01"] {
            #expect(try get(target, nil) == 401, "\(target)")
            #expect(try get(target, expired) == 401, "\(target)")
            #expect(try get(target, admin) == 200, "\(target)")
        }
        #expect(try get("/v1/docs", viewer) == 403)
        #expect(try get("/v1/docs/lines/history", viewer) == 403)
        #expect(try get("/v1/docs/lines/blame", viewer) == 200)
        #expect(try get("/v1/docs/lines?at=2999-01-01", viewer) == 200)
        #expect(try get("/v1/docs/lines/blame", otherDocs) == 403)
        #expect(try get("/v1/docs/lines/history", otherDocs) == 403)
        // A bad parameter is 400 before the token is looked at (400 → 401 → 403).
        #expect(try get("/v1/docs/lines/history?limit=x", nil) == 400)
        #expect(try get("/v1/docs/lines?at=noon", nil) == 400)
        // The token may come in the query, as for the contract's endpoints.
        #expect(try get("/v1/docs/lines/blame?token=\(viewer)", nil) == 200)
        let refused = try harness.get("/v1/docs")
        #expect(refused.body.contains(#""error":"unauthorized""#))
    }
}
