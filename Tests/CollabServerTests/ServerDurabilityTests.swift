#if canImport(Glibc)
import Glibc
#endif
import CollabJSON
import Foundation
import Testing
import CollabTestSupport

/// Shutdown, restart and crash: nothing acknowledged is ever lost or applied twice.
@Suite(.serialized) struct ServerDurabilityTests {
    @Test func gracefulShutdownAcksInFlightCommitsAndCloses1001() throws {
        let harness = try ServerTestHarness()
        let clients = try (0..<3).map { index in
            let client = try harness.connect("busy")
            _ = client.join(clientId: "closing-\(index)")
            return client
        }
        for (index, client) in clients.enumerated() {
            client.send(#"{"type":"op","seq":1,"v":0,"op":["\#(index)"]}"#)
        }
        let stopped = DispatchSemaphore(value: 0)
        let server = try #require(harness.server)
        Thread.detachNewThread {
            server.shutdown()
            stopped.signal()
        }
        var acked: Set<String> = []
        for (index, client) in clients.enumerated() {
            while let message = client.receive() {
                if message.type == "ack" { acked.insert("\(index)") }
            }
            #expect(client.closeCode == 1001)
        }
        stopped.wait()
        harness.stop()
        // Every acknowledged op survives the restart.
        try harness.start()
        let text = try harness.text(of: "busy") ?? ""
        for index in acked { #expect(text.contains(index)) }
        #expect(text.count == acked.count)
    }

    @Test func restartOnTheSameDatabaseKeepsEverything() throws {
        let harness = try ServerTestHarness { $0.room.snapshotInterval = 3 }
        let client = try harness.connect("kept")
        _ = client.join(clientId: "keeper-client")
        for seq in 1...7 {
            client.send(#"{"type":"op","seq":\#(seq),"v":\#(seq - 1),"op":["\#(seq)"]}"#)
            #expect(client.receive(type: "ack")?["v"]?.int == seq - 1)
        }
        harness.stop()
        try harness.start()
        #expect(try harness.text(of: "kept") == "7654321")
        let again = try harness.connect("kept")
        let answer = again.join(clientId: "keeper-client", version: 5)
        #expect(answer.first?["ops"]?.array?.compactMap { $0["v"]?.int } == [5, 6])
        #expect(answer.last?["version"]?.int == 7)
        // A stored seq is acknowledged as stored; the next one continues the versions.
        again.send(#"{"type":"op","seq":7,"v":6,"op":["x"]}"#)
        #expect(again.receive(type: "ack")?["v"]?.int == 6)
        again.send(#"{"type":"op","seq":8,"v":7,"op":["8"]}"#)
        #expect(again.receive(type: "ack")?["v"]?.int == 7)
        #expect(try harness.text(of: "kept") == "87654321")
    }

    /// `collab serve` as a child process, killed with SIGKILL while a client streams ops.
    @Test func killNineLosesNothingAcknowledged() throws {
        let binary = try #require(CollabProcess.binary, "the collab executable was not built next to the tests")
        let directory = try TemporaryDirectory(prefix: "crash")
        let database = directory.path("crash.sqlite")

        var server = try CollabProcess(binary: binary, database: database)
        var client = try ServerTestConnection.webSocket(port: server.port, path: "/v1/docs/crash")
        _ = client.join(clientId: "crash-client")
        var acked: [Int: Int] = [:]  // seq -> version
        var seq = 1
        while seq <= 40 {
            client.send(#"{"type":"op","seq":\#(seq),"v":\#(seq - 1),"op":[\#(seq == 1 ? "" : "\(seq - 1),")"x"]}"#)
            if seq == 40 { break }  // the kill comes with this op in flight
            let ack = try #require(client.receive(type: "ack"))
            acked[seq] = ack["v"]?.int
            seq += 1
        }
        server.kill()
        server = try CollabProcess(binary: binary, database: database)
        defer { server.kill() }

        let ops = try JSONReader.parse(ServerTestConnection(port: server.port).request("/v1/docs/crash/ops").body).array ?? []
        let stored = Dictionary(ops.compactMap { op in op["seq"]?.int.map { ($0, op["v"]?.int ?? -1) } }, uniquingKeysWith: { a, _ in a })
        for (ackedSeq, version) in acked {
            #expect(stored[ackedSeq] == version, "acked seq \(ackedSeq) lost or moved")
        }
        #expect(ops.compactMap { $0["v"]?.int } == Array(0..<ops.count))

        // Resubmitting the unacknowledged op with its seq: applied once, whatever its fate was.
        client = try ServerTestConnection.webSocket(port: server.port, path: "/v1/docs/crash")
        let answer = client.join(clientId: "crash-client", version: 39)
        let caughtUp = answer.first { $0.type == "ops" }?["ops"]?.array ?? []
        if caughtUp.isEmpty {
            client.send(#"{"type":"op","seq":40,"v":39,"op":[39,"x"]}"#)
            #expect(client.receive(type: "ack")?["v"]?.int == 39)
        } else {
            #expect(caughtUp.map { $0["seq"]?.int } == [40])
        }
        let after = try JSONReader.parse(ServerTestConnection(port: server.port).request("/v1/docs/crash/ops").body).array ?? []
        #expect(after.compactMap { $0["seq"]?.int } == Array(1...40))
        let text = try JSONReader.parse(ServerTestConnection(port: server.port).request("/v1/docs/crash").body)["text"]?.string
        #expect(text == String(repeating: "x", count: 40))
    }
}
