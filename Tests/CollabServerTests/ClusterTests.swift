import CollabJSON
import CollabTestSupport
import Foundation
import Testing

/// Several `collab serve` nodes on one PostgreSQL database (and Redis for commit notices):
/// editors spread over the nodes converge, a node's loss costs its editors a reconnect and no
/// acknowledged op, and an op resubmitted to another node is applied once.
@Suite(.serialized, .postgresCluster) struct ClusterTests {
    /// Edits at random for `rounds`, `editors[i]` on the node `home[i]` says.
    private func randomRounds(_ editors: [ServerEditor], rounds: Int, random: inout SplitMix64,
                              between: (Int) throws -> Void = { _ in }) throws {
        for round in 0..<rounds {
            try between(round)
            let editor = editors[Int.random(in: 0..<editors.count, using: &random)]
            if Int.random(in: 0..<2, using: &random) == 0 {
                editor.edit(using: &random)
            }
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.001)
        }
    }

    /// Waits (up to 10 s) until every editor has joined.
    private func awaitJoined(_ editors: [ServerEditor]) throws {
        let deadline = Date().addingTimeInterval(10)
        while editors.contains(where: { !$0.joined }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.005)
        }
        for editor in editors {
            try #require(editor.joined, "\(editor.clientId) did not join: \(editor.problems)")
        }
    }

    /// Waits until every editor has its edits acknowledged and holds what `node` serves; returns
    /// that text.
    @discardableResult
    private func settle(_ editors: [ServerEditor], cluster: ClusterFixture, node: Int, document: String,
                        seconds: Double = 20) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while editors.contains(where: { !$0.isIdle }) && Date() < deadline {
            for editor in editors { editor.process() }
            Thread.sleep(forTimeInterval: 0.005)
        }
        var served = try cluster.document(document, node: node)
        while Date() < deadline {
            for editor in editors { editor.process() }
            served = try cluster.document(document, node: node)
            if editors.allSatisfy({ $0.version == served.version && $0.document == served.text }) { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        for editor in editors {
            #expect(editor.problems.isEmpty, "\(editor.clientId): \(editor.problems)")
            #expect(editor.isIdle, "\(editor.clientId) still has unacknowledged edits")
            #expect(editor.version == served.version, "\(editor.clientId) at \(String(describing: editor.version)), server at \(String(describing: served.version))")
            #expect(editor.document == served.text, "\(editor.clientId) diverged")
        }
        return served.text
    }

    /// The next `count` op records `connection` receives, as `op` or batched in `ops` messages
    /// (fewer if it stops receiving).
    private func records(from connection: ServerTestConnection, count: Int) -> [JSONValue] {
        var records: [JSONValue] = []
        while records.count < count, let message = connection.receive() {
            switch message.type {
            case "op": records.append(message)
            case "ops": records += message["ops"]?.array ?? []
            default: break
            }
        }
        return records
    }

    /// Every (clientId, seq) stored once, versions gap-free.
    private func expectExactlyOnce(_ ops: [JSONValue]) {
        #expect(ops.compactMap { $0["v"]?.int } == Array(0..<ops.count))
        var seen = Set<String>()
        for op in ops {
            let key = "\(op["clientId"]?.string ?? "?")#\(op["seq"]?.int ?? -1)"
            #expect(seen.insert(key).inserted, "\(key) stored twice")
        }
    }

    @Test func editorsSpreadOverThreeNodesConverge() throws {
        let cluster = try ClusterFixture(nodes: 3, redis: true)
        var random = SplitMix64(seed: 13)
        let editors = (0..<6).map { ServerEditor(clientId: "spread-\($0)") }
        for (index, editor) in editors.enumerated() {
            try editor.connect(port: cluster.port(index % 3), document: "spread")
        }
        try awaitJoined(editors)
        try randomRounds(editors, rounds: 400, random: &random)
        let text = try settle(editors, cluster: cluster, node: 0, document: "spread")
        // Every node serves the same text, version and records.
        let reference = try cluster.ops("spread", node: 0)
        #expect(reference.count > 20)
        for node in 1..<3 {
            #expect(try cluster.document("spread", node: node).text == text)
            #expect(try cluster.ops("spread", node: node) == reference)
        }
        expectExactlyOnce(reference)
        // The nodes told each other about their commits over Redis, and used what they heard.
        var sent = 0.0, caughtUp = 0.0
        for node in 0..<3 {
            sent += try cluster.metric("collab_pubsub_messages_sent_total", node: node) ?? 0
            caughtUp += try cluster.metric("collab_notice_catch_ups_total", node: node) ?? 0
            #expect(try cluster.metric("collab_pubsub_up", node: node) == 1)
        }
        #expect(sent > 0)
        #expect(caughtUp > 0)
    }

    @Test func killingANodeCostsItsEditorsAReconnectAndNoAcknowledgedOp() throws {
        let cluster = try ClusterFixture(nodes: 3, redis: true)
        var random = SplitMix64(seed: 99)
        let editors = (0..<6).map { ServerEditor(clientId: "killed-editor-\($0)") }
        var home = (0..<6).map { $0 % 3 }
        for (index, editor) in editors.enumerated() {
            try editor.connect(port: cluster.port(home[index]), document: "killed")
        }
        try awaitJoined(editors)
        try randomRounds(editors, rounds: 500, random: &random) { round in
            guard round == 250 else { return }
            // Mid-edit: node 0 dies with whatever it had in flight; its editors move over.
            cluster.kill(node: 0)
            for (index, editor) in editors.enumerated() where home[index] == 0 {
                editor.drop()
                home[index] = 1 + index % 2
                try editor.connect(port: cluster.port(home[index]), document: "killed")
            }
        }
        let text = try settle(editors, cluster: cluster, node: 1, document: "killed")
        #expect(try cluster.document("killed", node: 2).text == text)
        expectExactlyOnce(try cluster.ops("killed", node: 2))
    }

    @Test func aPausedNodeCatchesUpInsteadOfForkingTheDocument() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        var random = SplitMix64(seed: 5)
        let editors = (0..<4).map { ServerEditor(clientId: "paused-editor-\($0)") }
        for (index, editor) in editors.enumerated() {
            try editor.connect(port: cluster.port(index % 2), document: "paused")
        }
        try awaitJoined(editors)
        try randomRounds(editors, rounds: 100, random: &random)
        // Node 0 freezes with its editors' ops in hand; node 1's editors keep typing.
        let frozen = try #require(cluster.pid(node: 0))
        kill(frozen, SIGSTOP)
        editors[0].edit(using: &random)  // reaches the frozen node, which handles it on waking
        try randomRounds([editors[1], editors[3]], rounds: 150, random: &random)
        Thread.sleep(forTimeInterval: 5)
        kill(frozen, SIGCONT)
        try randomRounds(editors, rounds: 100, random: &random)
        let text = try settle(editors, cluster: cluster, node: 1, document: "paused")
        #expect(try cluster.document("paused", node: 0).text == text)
        expectExactlyOnce(try cluster.ops("paused", node: 0))
    }

    @Test func aSecondConnectionOfAClientOnAnotherNodeReplacesTheFirst() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        let first = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/moved")
        _ = first.join(clientId: "moving-client")
        first.send(#"{"type":"op","seq":1,"v":0,"op":["a"]}"#)
        #expect(first.receive(type: "ack")?["v"]?.int == 0)
        Thread.sleep(forTimeInterval: 0.3)  // node 0's subscription reaches Redis
        let second = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/moved")
        #expect(second.join(clientId: "moving-client", version: 1).last?.type == "joined")
        first.setTimeout(.seconds(3))
        #expect(first.awaitClose() == 4000, "the older connection, on the other node, is replaced")
        second.send(#"{"type":"op","seq":2,"v":1,"op":[1,"b"]}"#)
        #expect(second.receive(type: "ack")?["v"]?.int == 1)
        // A third connection back on node 0 replaces the second in turn (once node 1's
        // subscription, made when its room loaded, has reached Redis).
        Thread.sleep(forTimeInterval: 0.3)
        let third = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/moved")
        #expect(third.join(clientId: "moving-client", version: 2).last?.type == "joined")
        second.setTimeout(.seconds(3))
        #expect(second.awaitClose() == 4000)
        #expect(try cluster.document("moved", node: 1).text == "ab")
    }

    @Test func messagesSentWithTheJoinWaitForItsReadsAndKeepTheirOrder() throws {
        // On PostgreSQL a join's reads happen off the loop; what the client sends meanwhile is
        // held and handled after the join, in order.
        let cluster = try ClusterFixture(nodes: 1, redis: false)
        let client = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/pipelined")
        client.send(#"{"type":"join","clientId":"pipelined-client"}"#)
        client.send(#"{"type":"op","seq":1,"v":0,"op":["a"]}"#)
        client.send(#"{"type":"presence","v":0,"selection":[[0,0]]}"#)
        client.send(#"{"type":"ping","id":7}"#)
        var types: [String] = []
        while !(types.contains("pong") && types.contains("ack")), let message = client.receive() {
            types.append(message.type ?? "?")
            #expect(message.type != "error", "\(message)")
        }
        // (The pong may overtake the ack, which waits for the commit.)
        #expect(Array(types.prefix(2)) == ["snapshot", "joined"] && Set(types.dropFirst(2)) == ["ack", "pong"], "\(types)")
        #expect(try cluster.document("pipelined", node: 0).text == "a")
    }

    @Test func aDeleteThroughOneNodeClosesTheDocumentsEditorsOnTheOthers() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        let ada = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/doomed")
        _ = ada.join(clientId: "doomed-ada")
        ada.send(#"{"type":"op","seq":1,"v":0,"op":["bye"]}"#)
        #expect(ada.receive(type: "ack")?["v"]?.int == 0)
        let bob = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/doomed")
        _ = bob.join(clientId: "doomed-bob")
        Thread.sleep(forTimeInterval: 0.3)  // node 1's subscription reaches Redis
        let deleted = try ServerTestConnection(port: cluster.port(0)).request("/v1/docs/doomed", method: "DELETE")
        #expect(deleted.status == 204)
        bob.setTimeout(.seconds(3))
        #expect(ada.awaitClose() == 4404)
        #expect(bob.awaitClose() == 4404, "the editor on the other node is closed too")
        // The id is free again on both nodes, from version 0.
        let fresh = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/doomed")
        #expect(fresh.join(clientId: "doomed-carl").last?["version"]?.int == 0)
    }

    @Test func redisKilledAndRestartedMidEditCostsNothingButSpeed() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        var random = SplitMix64(seed: 21)
        let editors = (0..<4).map { ServerEditor(clientId: "redis-gone-editor-\($0)") }
        for (index, editor) in editors.enumerated() {
            try editor.connect(port: cluster.port(index % 2), document: "redis-gone")
        }
        try awaitJoined(editors)
        try randomRounds(editors, rounds: 300, random: &random) { round in
            if round == 100 { cluster.redis?.kill() }
            // Long enough for ops to reach the other node only by polling the database.
            if round == 150 { Thread.sleep(forTimeInterval: 1.5) }
            if round == 200 { try cluster.redis?.start() }
        }
        let text = try settle(editors, cluster: cluster, node: 0, document: "redis-gone")
        #expect(try cluster.document("redis-gone", node: 1).text == text)
        expectExactlyOnce(try cluster.ops("redis-gone", node: 1))
    }

    @Test func anOpResubmittedToAnotherNodeIsAppliedOnce() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: false)
        let first = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/once")
        _ = first.join(clientId: "once-client")
        first.send(#"{"type":"op","seq":1,"v":0,"op":["hello"]}"#)
        #expect(first.receive(type: "ack")?["v"]?.int == 0)
        // As if the ack had been lost with the connection: the client tries node 1 with what it knew.
        let second = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/once")
        let answer = second.join(clientId: "once-client", version: 0)
        let caughtUp = answer.first { $0.type == "ops" }?["ops"]?.array ?? []
        #expect(caughtUp.map { $0["seq"]?.int } == [1], "the stored op comes back as the client's own (its ack)")
        second.send(#"{"type":"op","seq":1,"v":0,"op":["hello"]}"#)
        #expect(second.receive(type: "ack")?["v"]?.int == 0)
        second.send(#"{"type":"op","seq":2,"v":1,"op":[5," world"]}"#)
        #expect(second.receive(type: "ack")?["v"]?.int == 1)
        #expect(try cluster.document("once", node: 0).text == "hello world")
        #expect(try cluster.ops("once", node: 1).count == 2)
    }

    @Test func aJoinOnAnotherNodeSeesEveryAcknowledgedOp() throws {
        // No Redis and a loaded room on node 1: the join itself must look at PostgreSQL's head.
        let cluster = try ClusterFixture(nodes: 2, redis: false)
        let watcher = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/fresh")
        _ = watcher.join(clientId: "fresh-watcher")
        let writer = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/fresh")
        _ = writer.join(clientId: "fresh-writer")
        for seq in 1...5 {
            writer.send(#"{"type":"op","seq":\#(seq),"v":\#(seq - 1),"op":[\#(seq == 1 ? "" : "\(seq - 1),")"x"]}"#)
            #expect(writer.receive(type: "ack")?["v"]?.int == seq - 1)
        }
        // A client that saw version 5 on node 0 joins node 1 at once: no version_ahead.
        let moved = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/fresh")
        let answer = moved.join(clientId: "fresh-mover", version: 5)
        #expect(answer.last?.type == "joined")
        #expect(answer.last?["version"]?.int == 5)
        let late = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/fresh")
        let fresh = late.join(clientId: "fresh-late")
        #expect(fresh.last?["version"]?.int == 5)
        #expect(fresh.first { $0.type == "snapshot" }?["text"]?.string == "xxxxx")
    }

    @Test func aRestoreThroughANodeWithoutTheRoomReachesEditorsOnTheOther() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        let editor = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/back")
        _ = editor.join(clientId: "back-editor")
        for (seq, op) in [#"["draft"]"#, #"[5," two"]"#, #"[9," three"]"#].enumerated() {
            editor.send(#"{"type":"op","seq":\#(seq + 1),"v":\#(seq),"op":\#(op)}"#)
            #expect(editor.receive(type: "ack")?["v"]?.int == seq)
        }
        // Node 1 has no room for the document: it loads one (off its loop) to restore version 1.
        let response = try ServerTestConnection(port: cluster.port(1))
            .request("/v1/docs/back/restore", method: "POST", body: #"{"version": 1}"#)
        #expect(response.status == 200, "\(response.body)")
        let answer = try JSONReader.parse(response.body)
        #expect(answer["version"]?.int == 3 && answer["restoredFrom"]?.int == 1)
        // The editor on node 0 receives the restoring op and the text is version 1's everywhere.
        #expect(records(from: editor, count: 1).first?["v"]?.int == 3)
        #expect(try cluster.document("back", node: 0).text == "draft")
        #expect(try cluster.document("back", node: 1).text == "draft")
    }

    @Test func redisCarriesCommitsFasterThanPolling() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        let sender = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/fast")
        _ = sender.join(clientId: "fast-sender")
        let receiver = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/fast")
        _ = receiver.join(clientId: "fast-receiver")
        Thread.sleep(forTimeInterval: 0.3)  // the subscription of node 1 reaches Redis
        var delays: [Double] = []
        for seq in 1...20 {
            let start = Date()
            sender.send(#"{"type":"op","seq":\#(seq),"v":\#(seq - 1),"op":[\#(seq == 1 ? "" : "\(seq - 1),")"y"]}"#)
            #expect(sender.receive(type: "ack")?["v"]?.int == seq - 1)
            #expect(records(from: receiver, count: 1).first?["v"]?.int == seq - 1)
            delays.append(Date().timeIntervalSince(start))
        }
        delays.sort()
        // Head polling alone (every second) would put the median near 500 ms.
        #expect(delays[delays.count / 2] < 0.1, "median propagation \(delays[delays.count / 2]) s")
        // The notices carried the ops: node 1 took them in without reading the database.
        #expect(try cluster.metric("collab_notice_records_taken_total", node: 1) ?? 0 >= 10)
        // Node 1 measured how long the notices took (PostgreSQL's clock on both ends).
        #expect(try cluster.metric("collab_pubsub_lag_seconds_count", node: 1) ?? 0 >= 20)
        #expect(try cluster.metric("collab_pubsub_lag_seconds_bucket{le=\"0.1\"}", node: 1) ?? 0 >= 19)
    }

    @Test func withRedisGoneNodesKeepAcknowledgingAndCatchUpByPolling() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        let sender = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/noredis")
        _ = sender.join(clientId: "noredis-sender")
        let receiver = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/noredis")
        _ = receiver.join(clientId: "noredis-receiver")
        cluster.redis?.kill()
        for seq in 1...3 {
            sender.send(#"{"type":"op","seq":\#(seq),"v":\#(seq - 1),"op":[\#(seq == 1 ? "" : "\(seq - 1),")"r"]}"#)
            #expect(sender.receive(type: "ack")?["v"]?.int == seq - 1)
        }
        #expect(records(from: receiver, count: 3).compactMap { $0["v"]?.int } == [0, 1, 2])
        #expect(try cluster.get("/healthz", node: 0).status == 200)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try cluster.metric("collab_pubsub_up", node: 1) == 0)
        // Redis returns: the nodes resubscribe on their own.
        try cluster.redis?.start()
        let deadline = Date().addingTimeInterval(15)
        while try cluster.metric("collab_pubsub_up", node: 1) != 1 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try cluster.metric("collab_pubsub_up", node: 1) == 1)
    }

    @Test func postgresDownAnswers503AndTheNodeCarriesOnWhenItReturns() throws {
        let cluster = try ClusterFixture(nodes: 1, redis: false)
        let client = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/pgdown")
        _ = client.join(clientId: "pgdown-client")
        client.send(#"{"type":"op","seq":1,"v":0,"op":["a"]}"#)
        #expect(client.receive(type: "ack")?["v"]?.int == 0)
        try cluster.postgres.stopImmediately()
        defer { try? cluster.postgres.start() }
        // An op now cannot commit: it stays unacknowledged while the node retries.
        client.setTimeout(.seconds(2))
        client.send(#"{"type":"op","seq":2,"v":1,"op":[1,"b"]}"#)
        #expect(client.receive(type: "ack") == nil)
        var status = 0
        let deadline = Date().addingTimeInterval(5)
        repeat {
            status = try cluster.get("/healthz", node: 0).status
            if status == 503 { break }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        #expect(status == 503, "/healthz within 5 s of PostgreSQL going away")
        #expect(throws: (any Error).self, "new WebSockets are refused") {
            try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/pgdown")
        }
        let started = Date()
        try cluster.postgres.start()
        print("ClusterTests: PostgreSQL restarted in \(Date().timeIntervalSince(started)) s")
        // Back within the retry window: the op commits and is acknowledged, exactly once.
        client.setTimeout(.seconds(15))
        let ack = client.receive(type: "ack")
        if ack == nil { print("ClusterTests: node log:\n\(cluster.log(node: 0))") }
        #expect(ack?["v"]?.int == 1)
        let healthy = Date().addingTimeInterval(5)
        while try cluster.get("/healthz", node: 0).status != 200 && Date() < healthy {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try cluster.get("/healthz", node: 0).status == 200)
        #expect(try cluster.document("pgdown", node: 0).text == "ab")
        #expect(try cluster.metric("collab_database_retries_total", node: 0) ?? 0 > 0)
        #expect(try cluster.metric("collab_database_up", node: 0) == 1)
        #expect(try cluster.metric("collab_database_round_trip_seconds_count", node: 0) ?? 0 > 0)
        expectExactlyOnce(try cluster.ops("pgdown", node: 0))
    }

    @Test func aBadOrUnreachableDatabaseOrPubsubURLIsOneLineAndExit1() throws {
        let cluster = try ClusterFixture(nodes: 0, redis: false)
        let wrongPassword = cluster.databaseURL.replacingOccurrences(
            of: PostgresTestCluster.percentEncoded(PostgresTestCluster.scramPassword), with: "not-the-secret")
        let closedPort = try LoopbackPort.free()
        let cases: [(arguments: [String], expected: String)] = [
            (["--db", "postgres://who:hunter2@127.0.0.1:notaport/x"], "invalid value for '--db'"),
            (["--db", "postgress://who:hunter2@127.0.0.1/x"], "invalid value for '--db'"),
            (["--db", wrongPassword], "28P01"),
            (["--db", "postgres://who:hunter2@127.0.0.1:\(closedPort)/x"], "cannot open the database"),
            (["--db", cluster.databaseURL, "--pubsub", "redis://:hunter2@127.0.0.1:\(closedPort)"], "Redis"),
            (["--pubsub", "rediss://nope"], "invalid value for '--pubsub'"),
        ]
        let directory = try TemporaryDirectory(prefix: "serve-urls")
        for (arguments, expected) in cases {
            let run = try ExecutableRun.run(cluster.binary, ["serve", "--port", "0"] + arguments,
                                            directory: directory.url)
            #expect(run.status == 1, "\(arguments): \(run.err)")
            #expect(run.err.split(separator: "\n").count == 1, "\(arguments): \(run.err)")
            #expect(run.err.contains(expected), "\(arguments): \(run.err)")
            #expect(!run.err.contains("hunter2") && !run.err.contains("not-the-secret"), "\(arguments): \(run.err)")
        }
    }

    /// The next message of `type` about `clientId` (presence or leave), within the connection's timeout.
    private func next(_ type: String, of clientId: String, on connection: ServerTestConnection) -> JSONValue? {
        while let message = connection.receive() {
            if message.type == type && message["clientId"]?.string == clientId { return message }
        }
        return nil
    }

    @Test func presenceCrossesNodesAndAKilledNodesParticipantsExpire() throws {
        let cluster = try ClusterFixture(nodes: 3, redis: true)
        let ada = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/cursors")
        _ = ada.join(clientId: "ada-client")
        ada.send(#"{"type":"op","seq":1,"v":0,"op":["hello world"]}"#)
        #expect(ada.receive(type: "ack")?["v"]?.int == 0)
        let bob = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/cursors")
        _ = bob.join(clientId: "bob-client")
        Thread.sleep(forTimeInterval: 0.3)  // node 1's subscription reaches Redis
        // Ada's cursor, sent at version 1 to node 0, reaches Bob on node 1.
        ada.send(#"{"type":"presence","v":1,"selection":[[6,11]]}"#)
        // (Bob may first hear of Ada from node 0's roster, with no selection.)
        var seen = next("presence", of: "ada-client", on: bob)
        if case .null? = seen?["selection"] { seen = next("presence", of: "ada-client", on: bob) }
        #expect(seen?["selection"]?.array?.first?.array?.compactMap(\.int) == [6, 11])
        #expect(seen?["v"]?.int == 1)
        // Bob types before Ada's selection: node 1 shows it moved (the stored order decides).
        bob.send(#"{"type":"op","seq":1,"v":1,"op":[">> "]}"#)
        #expect(bob.receive(type: "ack")?["v"]?.int == 1)
        // A joiner on a third node learns of both: in `joined` once its node hosts the document,
        // else as `presence` messages right after (its node asks the others for their rosters).
        Thread.sleep(forTimeInterval: 0.3)
        let cy = try ServerTestConnection.webSocket(port: cluster.port(2), path: "/v1/docs/cursors")
        var presence = cy.join(clientId: "cy-client").last?["presence"]?.array ?? []
        cy.setTimeout(.seconds(2))
        while let message = cy.receive() {
            if message.type == "presence" { presence.append(message) }
        }
        let adaThere = presence.last { $0["clientId"]?.string == "ada-client" }
        #expect(adaThere?["selection"]?.array?.first?.array?.compactMap(\.int) == [9, 14], "\(presence)")
        #expect(presence.contains { $0["clientId"]?.string == "bob-client" }, "\(presence)")
        // A second joiner there finds both in `joined` itself.
        let dee = try ServerTestConnection.webSocket(port: cluster.port(2), path: "/v1/docs/cursors")
        let listed = (dee.join(clientId: "dee-client").last?["presence"]?.array ?? []).compactMap { $0["clientId"]?.string }
        #expect(Set(listed) == ["ada-client", "bob-client", "cy-client"])
        // Node 0 dies without a word: Ada leaves everyone's view within 15 s (and a few).
        cluster.kill(node: 0)
        bob.setTimeout(.seconds(25))
        let started = Date()
        #expect(next("leave", of: "ada-client", on: bob) != nil)
        #expect(Date().timeIntervalSince(started) < 21)
    }

    @Test func aStoppedNodesParticipantsLeaveAtOnce() throws {
        let cluster = try ClusterFixture(nodes: 2, redis: true)
        let ada = try ServerTestConnection.webSocket(port: cluster.port(0), path: "/v1/docs/stopping")
        _ = ada.join(clientId: "ada-stopping")
        let bob = try ServerTestConnection.webSocket(port: cluster.port(1), path: "/v1/docs/stopping")
        _ = bob.join(clientId: "bob-stopping")
        Thread.sleep(forTimeInterval: 0.3)
        ada.send(#"{"type":"presence","v":0,"selection":[[0,0]]}"#)
        #expect(next("presence", of: "ada-stopping", on: bob) != nil)
        let pid = try #require(cluster.pid(node: 0))
        kill(pid, SIGTERM)
        bob.setTimeout(.seconds(3))
        #expect(next("leave", of: "ada-stopping", on: bob) != nil, "a stopped node's participants leave at once")
        #expect(ada.awaitClose() == 1001)
    }
}
