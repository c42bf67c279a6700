import CollabJSON
import CollabOT
import CollabTestSupport
import Foundation
import Testing

/// History users act on, over HTTP against a real server: diff, names, restore, compact, delete.
@Suite(.serialized) struct ServerHistoryTests {
    /// Types `texts` into `document` one op each (appending), through one client.
    static func type(_ texts: [String], into document: String, on harness: ServerTestHarness,
                     clientId: String = "typist-client") throws {
        let client = try harness.connect(document)
        let joined = client.join(clientId: clientId)
        var version = joined.last?["version"]?.int ?? 0
        var length = try harness.text(of: document)?.unicodeScalars.count ?? 0
        for (index, text) in texts.enumerated() {
            let skip = length == 0 ? "" : "\(length),"
            client.send(#"{"type":"op","seq":\#(index + 1),"v":\#(version),"op":[\#(skip)\#(JSONValue.string(text).jsonString)]}"#)
            #expect(client.receive(type: "ack")?["v"]?.int == version)
            version += 1
            length += text.unicodeScalars.count
        }
    }

    static func json(_ response: (status: Int, body: String)) throws -> JSONValue {
        try JSONReader.parse(response.body)
    }

    func text(_ harness: ServerTestHarness, _ document: String, version: Int) throws -> String? {
        try Self.json(harness.get("/v1/docs/\(document)?version=\(version)"))["text"]?.string
    }

    @Test func diffBetweenAnyTwoVersions() throws {
        let harness = try ServerTestHarness { $0.room.snapshotInterval = 3 }
        try Self.type(["one\n", "two\n", "three 👍\n", "four\r\n"], into: "d", on: harness)
        for from in 0...4 {
            for to in from...4 {
                let diff = try Self.json(harness.get("/v1/docs/d/diff?from=\(from)&to=\(to)"))
                #expect(diff["id"]?.string == "d" && diff["from"]?.int == from && diff["to"]?.int == to)
                guard from != to else {
                    #expect(diff["op"] == .array([]))
                    continue
                }
                let operation = try TextOperation(json: try #require(diff["op"]))
                let old = try #require(try text(harness, "d", version: from))
                let new = try text(harness, "d", version: to)
                #expect(try operation.apply(to: old) == new)
            }
        }
        // `to` defaults to the current version.
        #expect(try Self.json(harness.get("/v1/docs/d/diff?from=1"))["to"]?.int == 4)
        let unified = try harness.get("/v1/docs/d/diff?from=1&to=3&format=unified")
        #expect(unified.status == 200 && unified.body == "--- d@1\n+++ d@3\n@@ -1 +1,3 @@\n one\n+two\n+three 👍\n")
        #expect(try harness.get("/v1/docs/d/diff?from=3&to=1").status == 400)
        #expect(try harness.get("/v1/docs/d/diff?from=1&to=9").status == 404)
        #expect(try harness.get("/v1/docs/d/diff?from=x").status == 400)
        #expect(try harness.get("/v1/docs/d/diff").status == 400)
        #expect(try harness.get("/v1/docs/d/diff?from=0&format=html").status == 400)
        #expect(try harness.get("/v1/docs/nothing/diff?from=0").status == 404)
    }

    @Test func namedVersions() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        let editor = ServerTestHarness.token(sub: "ada")
        let viewer = ServerTestHarness.token(sub: "vic", role: .viewer)
        let admin = ServerTestHarness.token(sub: "root", role: .admin)
        func auth(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }
        let client = try ServerTestConnection.webSocket(port: harness.port, path: "/v1/docs/n?token=\(editor)")
        _ = client.join(clientId: "ada-client-1")
        for (seq, text) in ["a", "b", "c"].enumerated() {
            client.send(#"{"type":"op","seq":\#(seq + 1),"v":\#(seq),"op":[\#(seq == 0 ? "" : "\(seq),")"\#(text)"]}"#)
            _ = client.receive(type: "ack")
        }
        let created = try harness.send("POST", "/v1/docs/n/versions", body: #"{"name": "first draft ✍️", "version": 1}"#,
                                       headers: auth(editor))
        #expect(created.status == 201)
        #expect(try Self.json(created)["user"]?.string == "ada")
        #expect(try harness.send("POST", "/v1/docs/n/versions", body: #"{"name": "now"}"#, headers: auth(editor)).status == 201)
        #expect(try harness.send("POST", "/v1/docs/n/versions", body: #"{"name": "now", "version": 2}"#,
                                 headers: auth(editor)).status == 409)
        for bad in [#"{"name": ""}"#, #"{"name": "tab\there"}"#, #"{"name": 3}"#, #"{"version": 1}"#,
                    #"{"name": "x", "version": -1}"#, #"{"name": "x", "colour": 1}"#, "not json",
                    #"{"name": "\#(String(repeating: "n", count: 101))"}"#] {
            #expect(try harness.send("POST", "/v1/docs/n/versions", body: bad, headers: auth(editor)).status == 400, "\(bad)")
        }
        #expect(try harness.send("POST", "/v1/docs/n/versions", body: #"{"name": "late", "version": 9}"#,
                                 headers: auth(editor)).status == 404)
        #expect(try harness.send("POST", "/v1/docs/n/versions", body: #"{"name": "v"}"#, headers: auth(viewer)).status == 403)
        #expect(try harness.send("POST", "/v1/docs/n/versions", body: #"{"name": "v"}"#).status == 401)
        let listed = try Self.json(harness.get("/v1/docs/n/versions", headers: auth(viewer)))
        #expect(listed.array?.map { $0["name"]?.string ?? "" } == ["first draft ✍️", "now"])
        #expect(listed.array?.map { $0["version"]?.int ?? -1 } == [1, 3])
        #expect(listed.array?.first?["time"]?.string?.hasSuffix("Z") == true)
        // Names are percent-decoded in queries and paths.
        let named = try harness.get("/v1/docs/n?name=first%20draft%20%E2%9C%8D%EF%B8%8F", headers: auth(viewer))
        #expect(named.status == 200)
        #expect(try Self.json(named)["text"]?.string == "a")
        #expect(try harness.get("/v1/docs/n?name=nope", headers: auth(viewer)).status == 404)
        #expect(try harness.get("/v1/docs/n?name=now&version=1", headers: auth(viewer)).status == 400)
        #expect(try harness.send("DELETE", "/v1/docs/n/versions/now", headers: auth(editor)).status == 403)
        #expect(try harness.send("DELETE", "/v1/docs/n/versions/first%20draft%20%E2%9C%8D%EF%B8%8F",
                                 headers: auth(admin)).status == 204)
        #expect(try harness.send("DELETE", "/v1/docs/n/versions/first%20draft", headers: auth(admin)).status == 404)
        #expect(try Self.json(harness.get("/v1/docs/n/versions", headers: auth(viewer))).array?.count == 1)
        #expect(try harness.get("/v1/docs/empty/versions", headers: auth(viewer)).status == 404)
    }

    @Test func restoreIsOneMinimalOpThatEditorsSee() throws {
        let harness = try ServerTestHarness()
        try Self.type(["The quick ", "brown fox ", "jumps."], into: "r", on: harness)
        let watcher = try harness.connect("r")
        _ = watcher.join(clientId: "watcher-1")
        let restored = try Self.json(harness.send("POST", "/v1/docs/r/restore", body: #"{"version": 2}"#))
        #expect(restored["version"]?.int == 3 && restored["restoredFrom"]?.int == 2)
        #expect(try harness.text(of: "r") == "The quick brown fox ")
        // The watcher saw it as an ordinary op: a delete of "jumps." after 20 kept scalars.
        let op = watcher.receive(type: "op")
        #expect(op?["v"]?.int == 3 && op?["op"]?.jsonString == #"[20,{"d":6}]"#)
        #expect(op?["user"]?.string?.isEmpty == false && op?["clientId"]?.string?.hasPrefix("restore-") == true)
        // Restoring the same text again stores nothing.
        let again = try Self.json(harness.send("POST", "/v1/docs/r/restore", body: #"{"version": 2}"#))
        #expect(again["unchanged"] == .bool(true) && again["version"]?.int == 4)
        #expect(try Self.json(harness.get("/v1/docs/r"))["version"]?.int == 4)
        // By name; and the refusals.
        #expect(try harness.send("POST", "/v1/docs/r/versions", body: #"{"name": "start", "version": 1}"#).status == 201)
        let byName = try Self.json(harness.send("POST", "/v1/docs/r/restore", body: #"{"name": "start"}"#))
        #expect(byName["restoredFrom"]?.int == 1 && byName["version"]?.int == 4)
        #expect(try harness.text(of: "r") == "The quick ")
        #expect(try harness.send("POST", "/v1/docs/r/restore", body: #"{"name": "start", "version": 1}"#).status == 400)
        #expect(try harness.send("POST", "/v1/docs/r/restore", body: "{}").status == 400)
        #expect(try harness.send("POST", "/v1/docs/r/restore", body: #"{"version": 99}"#).status == 404)
        #expect(try harness.send("POST", "/v1/docs/r/restore", body: #"{"name": "nope"}"#).status == 404)
        #expect(try harness.send("POST", "/v1/docs/never/restore", body: #"{"version": 0}"#).status == 404)
        #expect(try harness.send("GET", "/v1/docs/r/restore").status != 200)
    }

    @Test func restoreWhileTwoEditorsTypeConverges() throws {
        let harness = try ServerTestHarness()
        try Self.type(["base text\n", "more base\n"], into: "busy", on: harness)
        var random = SplitMix64(seed: 21)
        let editors = (0..<2).map { ServerEditor(clientId: "busy-editor-\($0)") }
        for editor in editors { try editor.connect(to: harness, document: "busy") }
        for editor in editors {
            while !editor.joined { editor.process(wait: true) }
        }
        var restores: [Int] = []
        for round in 0..<120 {
            let editor = editors[round % 2]
            editor.edit(using: &random)
            editor.process()
            if round % 40 == 20 {
                let before = try Self.json(harness.get("/v1/docs/busy"))["version"]?.int ?? 0
                let answer = try Self.json(harness.send("POST", "/v1/docs/busy/restore", body: #"{"version": 1}"#))
                let version = try #require(answer["version"]?.int)
                #expect(version >= before)
                // Unchanged when nobody's edit has landed since the last restore.
                if answer["unchanged"] == nil { restores.append(version) }
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while editors.contains(where: { !$0.isIdle }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.002)
        }
        let final = try Self.json(harness.get("/v1/docs/busy"))
        while editors.contains(where: { $0.version != final["version"]?.int }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.002)
        }
        for editor in editors {
            #expect(editor.problems.isEmpty, "\(editor.problems)")
            #expect(editor.document == final["text"]?.string)
        }
        // Each restore is one version in the log, by the restoring client, and right after it
        // the text was the text at version 1.
        #expect(!restores.isEmpty)
        let ops = try Self.json(harness.get("/v1/docs/busy/ops?from=0&limit=1000")).array ?? []
        #expect(ops.filter { $0["clientId"]?.string?.hasPrefix("restore-") == true }.map { $0["v"]?.int ?? -1 } == restores)
        for version in restores {
            #expect(try text(harness, "busy", version: version + 1) == "base text\n")
        }
    }

    @Test func compactionAnswersGoneBelowTheHorizon() throws {
        let harness = try ServerTestHarness { $0.room.snapshotInterval = 4 }
        try Self.type((0..<10).map { "line \($0)\n" }, into: "c", on: harness)
        let before = try (6...10).map { try text(harness, "c", version: $0) }
        #expect(try harness.send("POST", "/v1/docs/c/versions", body: #"{"name": "early", "version": 2}"#).status == 201)
        let dry = try Self.json(harness.send("POST", "/v1/docs/c/compact", body: #"{"horizon": 6, "dryRun": true}"#))
        #expect(dry["opsRemoved"]?.int == 6 && dry["dryRun"] == .bool(true))
        #expect(try harness.get("/v1/docs/c?version=1").status == 200)
        let report = try Self.json(harness.send("POST", "/v1/docs/c/compact", body: #"{"horizon": 6}"#))
        #expect(report["horizon"]?.int == 6 && report["opsRemoved"]?.int == 6 && (report["bytesRemoved"]?.int ?? 0) > 0)
        #expect(try (6...10).map { try text(harness, "c", version: $0) } == before)
        for target in ["/v1/docs/c?version=5", "/v1/docs/c/ops?from=0", "/v1/docs/c/diff?from=1"] {
            let gone = try harness.get(target)
            #expect(gone.status == 410 && gone.body.contains("version_gone") && gone.body.contains("6"), "\(target)")
        }
        #expect(try harness.send("POST", "/v1/docs/c/restore", body: #"{"version": 3}"#).status == 410)
        // The named version below the horizon stays readable by name.
        #expect(try Self.json(harness.get("/v1/docs/c?name=early"))["text"]?.string == "line 0\nline 1\n")
        // A client behind the horizon gets a snapshot; an op made against an old version, 4410.
        let late = try harness.connect("c")
        let answer = late.join(clientId: "late-client", version: 3)
        #expect(answer.first?["type"]?.string == "snapshot" && answer.first?["version"]?.int == 10)
        late.send(#"{"type":"op","seq":1,"v":4,"op":["x"]}"#)
        #expect(late.receive(type: "error")?["code"]?.string == "version_gone")
        #expect(late.awaitClose() == 4410)
        #expect(try harness.send("POST", "/v1/docs/c/compact", body: #"{"horizon": 6}"#).status == 200)
        #expect(try harness.send("POST", "/v1/docs/c/compact", body: #"{"horizon": 11}"#).status == 404)
        #expect(try harness.send("POST", "/v1/docs/c/compact", body: #"{"keep": 1}"#).status == 400)
    }

    @Test func deleteClosesClientsPurgesAndFreesTheId() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        let admin = [("Authorization", "Bearer \(ServerTestHarness.token(sub: "root", role: .admin))")]
        let editorToken = ServerTestHarness.token(sub: "ada")
        for document in ["gone", "kept"] {
            let client = try ServerTestConnection.webSocket(port: harness.port, path: "/v1/docs/\(document)?token=\(editorToken)")
            _ = client.join(clientId: "writer-\(document)")
            client.send(#"{"type":"op","seq":1,"v":0,"op":["hello"]}"#)
            _ = client.receive(type: "ack")
        }
        let connected = try ServerTestConnection.webSocket(port: harness.port, path: "/v1/docs/gone?token=\(editorToken)")
        _ = connected.join(clientId: "reader-client")
        #expect(try harness.send("DELETE", "/v1/docs/gone",
                                 headers: [("Authorization", "Bearer \(editorToken)")]).status == 403)
        #expect(try harness.send("DELETE", "/v1/docs/gone", headers: admin).status == 204)
        #expect(connected.awaitClose() == 4404)
        #expect(try harness.get("/v1/docs/gone", headers: admin).status == 404)
        #expect(try harness.send("DELETE", "/v1/docs/gone", headers: admin).status == 404)
        #expect(try Self.json(harness.get("/v1/docs/kept", headers: admin))["text"]?.string == "hello")
        // The id starts again from version 0, with a client id that was used before.
        let again = try ServerTestConnection.webSocket(port: harness.port, path: "/v1/docs/gone?token=\(editorToken)")
        let joined = again.join(clientId: "writer-gone")
        #expect(joined.last?["version"]?.int == 0)
        again.send(#"{"type":"op","seq":1,"v":0,"op":["new"]}"#)
        #expect(again.receive(type: "ack")?["v"]?.int == 0)
        #expect(try Self.json(harness.get("/v1/docs/gone", headers: admin))["text"]?.string == "new")
    }
}
