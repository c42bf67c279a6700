#if canImport(Glibc)
import Glibc
#endif
import CollabJSON
import CollabServer
import Foundation
import Testing

/// Each limit triggered for real against a running server, then the server checked healthy.
@Suite(.serialized) struct ServerLimitTests {
    @Test func oversizedMessageCloses1009() throws {
        let harness = try ServerTestHarness { $0.maxMessageBytes = 4_096 }
        let client = try harness.connect("big")
        _ = client.join(clientId: "big-client")
        client.send(#"{"type":"op","seq":1,"v":0,"op":[""# + "\"" + String(repeating: "x", count: 5_000) + "\"]}")
        #expect(client.awaitClose() == 1009)
        try harness.expectServing()
    }

    @Test func documentOverTheSizeLimitIsTooLarge() throws {
        let harness = try ServerTestHarness { $0.room.maxDocumentBytes = 100 }
        let client = try harness.connect("full")
        _ = client.join(clientId: "full-client")
        client.send(#"{"type":"op","seq":1,"v":0,"op":["\#(String(repeating: "a", count: 90))"]}"#)
        #expect(client.receive(type: "ack")?["v"]?.int == 0)
        // 90 + 11 bytes (é is two) is over 100.
        client.send(#"{"type":"op","seq":2,"v":1,"op":[90,"\#(String(repeating: "é", count: 6))"]}"#)
        let error = client.receive(type: "error")
        #expect(error?["code"]?.string == "too_large" && error?["seq"]?.int == 2)
        // That op changed nothing; one that fits still goes through on the same connection.
        client.send(#"{"type":"op","seq":2,"v":1,"op":[90,"0123456789"]}"#)
        #expect(client.receive(type: "ack")?["v"]?.int == 1)
        #expect(try harness.text(of: "full")?.utf8.count == 100)
        try harness.expectServing()
    }

    @Test func opRateLimitThen4429() throws {
        let harness = try ServerTestHarness {
            $0.room.opsPerSecond = 0.5
            $0.room.opBurst = 2
            $0.room.rateLimitStrikes = 5
        }
        let client = try harness.connect("spam")
        _ = client.join(clientId: "spam-client")
        for seq in 1...2 {
            client.send(seq == 1 ? #"{"type":"op","seq":1,"v":0,"op":["x"]}"# : #"{"type":"op","seq":2,"v":1,"op":[1,"x"]}"#)
            #expect(client.receive(type: "ack")?["seq"]?.int == seq)
        }
        for _ in 1...5 {
            client.send(#"{"type":"op","seq":3,"v":2,"op":[2,"x"]}"#)
        }
        var codes: [String] = []
        while let message = client.receive(), message.type == "error" {
            codes.append(message["code"]?.string ?? "")
        }
        #expect(codes == Array(repeating: "rate_limited", count: 5))
        #expect(client.awaitClose() == 4429)
        #expect(try harness.text(of: "spam") == "xx")
        try harness.expectServing()
    }

    @Test func presenceRateLimitThen4429() throws {
        let harness = try ServerTestHarness {
            $0.room.presencePerSecond = 0.5
            $0.room.presenceBurst = 3
            $0.room.rateLimitStrikes = 4
        }
        let watcher = try harness.connect("cursor")
        _ = watcher.join(clientId: "watcher-client")
        let client = try harness.connect("cursor")
        _ = client.join(clientId: "cursor-client")
        for _ in 1...3 { client.send(#"{"type":"presence","v":0,"selection":[[0,0]]}"#) }
        client.send(#"{"type":"presence","v":0,"selection":[[0,0]]}"#)
        let limited = client.receive(type: "error")
        #expect(limited?["code"]?.string == "rate_limited" && limited?["seq"] == nil)
        for _ in 1...3 { client.send(#"{"type":"presence","v":0,"selection":null}"#) }
        #expect(client.awaitClose() == 4429)
        // The accepted presence reached the other client, which then saw it leave.
        #expect(watcher.receive(type: "presence")?["clientId"]?.string == "cursor-client")
        #expect(watcher.receive(type: "leave")?["clientId"]?.string == "cursor-client")
        try harness.expectServing()
    }

    @Test func twentyBadMessagesClose1008() throws {
        let harness = try ServerTestHarness()
        let client = try harness.connect("noise")
        _ = client.join(clientId: "noise-client")
        for index in 0..<20 { client.send(index.isMultiple(of: 2) ? "{nope" : #"{"type":"dance"}"#) }
        var errors = 0
        while let message = client.receive() {
            if message["code"]?.string == "bad_message" { errors += 1 }
        }
        #expect(errors == 20)
        #expect(client.closeCode == 1008)
        try harness.expectServing()
    }

    /// The 503 refusal of an upgrade: status and JSON error.
    static func expectUnavailable(_ harness: ServerTestHarness, _ target: String, mentioning reason: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let response = try ServerTestConnection(port: harness.port).request(target, upgrade: true)
        #expect(response.status == 503, sourceLocation: sourceLocation)
        let body = try JSONReader.parse(response.body)
        #expect(body["error"]?.string == "unavailable", sourceLocation: sourceLocation)
        #expect(body["message"]?.string?.contains(reason) == true, "\(response.body)", sourceLocation: sourceLocation)
    }

    @Test func sixthConnectionOfOneUserIs503() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret)
        let ada = ServerTestHarness.token(sub: "ada")
        var open: [ServerTestConnection] = []
        for index in 0..<5 { open.append(try harness.connect("doc-\(index % 2)", token: ada)) }
        try Self.expectUnavailable(harness, "/v1/docs/doc-9?token=\(ada)", mentioning: "this user")
        // Someone else is not affected.
        try harness.expectServing(token: ServerTestHarness.token(sub: "bob"))
        // A closed connection frees its place.
        open.removeFirst()
        let again = harness.eventually { try? harness.connect("doc-9", token: ada) }
        #expect(again != nil)
        try Self.expectUnavailable(harness, "/v1/docs/doc-9?token=\(ada)", mentioning: "this user")
    }

    @Test func perAddressCapIs503() throws {
        let harness = try ServerTestHarness { $0.maxConnectionsPerAddress = 3 }
        var open = try (0..<3).map { try harness.connect("addr-\($0)") }
        try Self.expectUnavailable(harness, "/v1/docs/addr-9", mentioning: "this address")
        // HTTP requests are not WebSockets: not counted.
        #expect(try harness.get("/healthz").status == 200)
        open.removeAll()
        try #require(harness.eventually { try? harness.connect("addr-9") } != nil)
        try harness.expectServing()
    }

    /// Behind a trusted proxy each client counts by the address it forwards; from any other
    /// peer `X-Forwarded-For` is ignored (a client cannot choose its own address).
    @Test func perAddressCapFollowsXForwardedForFromATrustedProxyOnly() throws {
        let loopback = try TrustedProxies(cidrs: ["127.0.0.0/8"])
        let proxied = try ServerTestHarness {
            $0.maxConnectionsPerAddress = 1
            $0.trustedProxies = loopback
        }
        func connect(_ harness: ServerTestHarness, as client: String) throws -> ServerTestConnection {
            try ServerTestConnection.webSocket(port: harness.port, path: "/v1/docs/xff",
                                               headers: [("X-Forwarded-For", client)])
        }
        let ada = try connect(proxied, as: "203.0.113.7")
        let bob = try connect(proxied, as: "198.51.100.1, 203.0.113.99")  // the nearest hop is the client
        let refused = try ServerTestConnection(port: proxied.port)
            .request("/v1/docs/xff", headers: [("X-Forwarded-For", "203.0.113.7")], upgrade: true)
        #expect(refused.status == 503 && refused.body.contains("this address"))
        _ = (ada, bob)
        let direct = try ServerTestHarness { $0.maxConnectionsPerAddress = 1 }
        let first = try connect(direct, as: "203.0.113.7")
        let spoofed = try ServerTestConnection(port: direct.port)
            .request("/v1/docs/xff", headers: [("X-Forwarded-For", "198.51.100.1")], upgrade: true)
        #expect(spoofed.status == 503)
        _ = first
    }

    @Test func totalCapIs503() throws {
        let harness = try ServerTestHarness(secret: ServerTestHarness.secret) { $0.maxConnections = 2 }
        var open = [try harness.connect("a", token: ServerTestHarness.token(sub: "u1")),
                    try harness.connect("b", token: ServerTestHarness.token(sub: "u2"))]
        try Self.expectUnavailable(harness, "/v1/docs/c?token=\(ServerTestHarness.token(sub: "u3"))",
                                   mentioning: "connection limit")
        let metrics = try harness.get("/metrics?token=\(ServerTestHarness.token(sub: "root", role: .admin))")
        #expect(try PrometheusText(parsing: metrics.body).value("collab_handshakes_rejected_total", ["status": "503"]) == 1)
        open.removeAll()
        try #require(harness.eventually { try? harness.connect("c", token: ServerTestHarness.token(sub: "u3")) } != nil)
        try harness.expectServing(token: ServerTestHarness.token(sub: "u4"))
    }

    @Test func slowConsumerCloses1013() throws {
        let harness = try ServerTestHarness {
            $0.room.maxQueuedBytes = 256 * 1024
            $0.maxMessageBytes = 1 << 20
        }
        // Joins, then never reads: a small receive window makes the server queue fill up.
        let slow = try ServerTestConnection.webSocket(port: harness.port, path: "/v1/docs/firehose",
                                                      receiveBufferBytes: 4_096)
        slow.send(#"{"type":"join","clientId":"slow-client"}"#)
        let writer = try harness.connect("firehose")
        _ = writer.join(clientId: "fast-client")
        let chunk = String(repeating: "z", count: 400_000)
        var sawLeave = false
        var version = 0
        while !sawLeave && version < 40 {
            let retain = version == 0 ? "" : "\(version * chunk.count),"
            writer.send(#"{"type":"op","seq":\#(version + 1),"v":\#(version),"op":[\#(retain)"\#(chunk)"]}"#)
            while let message = writer.receive() {
                if message.type == "leave" { sawLeave = true }
                if message.type == "ack" { break }
            }
            version += 1
        }
        #expect(sawLeave, "the slow client was never closed after \(version) ops")
        #expect(slow.awaitClose() == 1013)
        try harness.expectServing()
    }

    @Test func noJoinInTimeCloses4408() throws {
        let harness = try ServerTestHarness { $0.room.joinTimeout = .milliseconds(200) }
        let client = try harness.connect("mute")
        #expect(client.awaitClose() == 4408)
        try harness.expectServing()
    }

    @Test func silentPeerIsClosedByTheHeartbeat() throws {
        let harness = try ServerTestHarness { $0.pingInterval = .milliseconds(150) }
        let talker = try harness.connect("quiet")
        _ = talker.join(clientId: "talker-client")
        let sleeper = try harness.connect("quiet")
        _ = sleeper.join(clientId: "sleeper-client")
        // The sleeper answers no ping for well over two intervals; the talker keeps answering.
        var left: String?
        let until = ContinuousClock.now + .milliseconds(900)
        while ContinuousClock.now < until {
            talker.send(#"{"type":"ping","id":1}"#)
            while let message = talker.receive(), message.type != "pong" {
                if message.type == "leave" { left = message["clientId"]?.string }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(sleeper.awaitClose() == 1001)
        if left == nil { left = talker.receive(type: "leave")?["clientId"]?.string }
        #expect(left == "sleeper-client")
        try harness.expectServing()
    }

    @Test func incompleteHandshakeIsClosedAfterTheTimeout() throws {
        let harness = try ServerTestHarness { $0.handshakeTimeout = .milliseconds(300) }
        let connection = try ServerTestConnection(port: harness.port)
        connection.sendRaw(Array("GET /v1/docs/slowloris HTTP/1.1\r\nHost: localhost\r\n".utf8))
        let start = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 4_096)
        var received = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += count
        }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(250) && waited < .seconds(3), "closed after \(waited)")
        try harness.expectServing()
    }

    @Test func metricsNeedAdminUnlessOpened() throws {
        let closed = try ServerTestHarness(secret: ServerTestHarness.secret)
        #expect(try closed.get("/metrics").status == 401)
        #expect(try closed.get("/metrics?token=\(ServerTestHarness.token(sub: "ada"))").status == 403)
        #expect(try closed.get("/metrics?token=\(ServerTestHarness.token(sub: "root", role: .admin))").status == 200)
        let opened = try ServerTestHarness(secret: ServerTestHarness.secret) { $0.metricsOpen = true }
        let scraped = try opened.get("/metrics")
        #expect(scraped.status == 200 && scraped.body.contains("collab_connections_open"))
        // Only metrics are opened: documents still need a token.
        #expect(try opened.get("/v1/docs/x").status == 401)
    }
}
