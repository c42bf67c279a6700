import CollabAuth
import CollabClient
import CollabOT
import Foundation
import Testing
import CollabTestSupport

/// `DocumentSession` against a real `CollaborationServer` over loopback sockets.
@Suite(.serialized) struct DocumentSessionLiveTests {
    static func settled(_ sessions: [DocumentSession]) async -> Bool {
        var texts: Set<String> = []
        for session in sessions {
            guard await session.isSettled else { return false }
            texts.insert(await session.text)
        }
        return texts.count == 1
    }

    @Test func offlineEditsAreSentInOrderWhenARestartedServerComesBack() async throws {
        let live = try LiveServer()
        let (alice, aliceEvents) = try live.session("notes", seed: 1)
        let (bob, _) = try live.session("notes", seed: 2)
        await alice.connect()
        await bob.connect()
        try await eventually("both joined") { await Self.settled([alice, bob]) }
        try await alice.insert("hello", at: 0)
        try await eventually("bob sees hello") { await bob.text == "hello" }

        live.stop()  // Graceful: 1001 to both, then nothing listens.
        try await eventually("alice offline") {
            if case .connected = await alice.connectionState { return false }
            return true
        }
        try await alice.insert(" world", at: 5)
        try await alice.insert("!", at: 11)
        try await alice.delete(0..<1)
        try await alice.insert("H", at: 0)
        try await bob.insert("-", at: 2)
        #expect(await alice.text == "Hello world!")
        #expect(await alice.pendingEdits != nil)
        try await eventually("offline with pending edits") {
            aliceEvents.states.contains { if case .reconnecting(_, _, hasPendingEdits: true) = $0 { true } else { false } }
        }

        try live.start()  // A new server on the same database and port.
        try await eventually("converged after restart") { await Self.settled([alice, bob]) }
        #expect(await alice.text == "He-llo world!")
        // What a newcomer loads from the restarted server is the same.
        let (carol, _) = try live.session("notes", seed: 3)
        await carol.connect()
        try await eventually("carol joined") { await carol.isSettled }
        #expect(await carol.text == "He-llo world!")
        for session in [alice, bob, carol] { await session.disconnect() }
        #expect(await alice.connectionState == .stopped(.disconnected, hasPendingEdits: false))
    }

    @Test func slowConsumerCloseIsRetriedAtOnceThenBacksOff() async throws {
        // A send-queue limit of one byte makes every connection a slow consumer.
        let live = try LiveServer { $0.room.maxQueuedBytes = 1 }
        let (alice, events) = try live.session("queue", seed: 4)
        await alice.connect()
        try await eventually("two 1013 closes") { events.closeCodes.filter { $0 == 1013 }.count >= 2 }
        // Each connection joins, then overflows on the next message. The first retry is
        // immediate (no waiting state), the next one backs off (ceiling 2 × 20 ms).
        let states = events.states.filter { if case .connected = $0 { false } else { true } }
        #expect(states.prefix(2) == [.connecting(attempt: 1), .connecting(attempt: 2)], "\(states)")
        guard states.count >= 3, case .reconnecting(let delay, _, _) = states[2] else {
            Issue.record("expected a backoff after the second 1013: \(states)")
            return
        }
        #expect(delay <= .milliseconds(40))
        live.stop()
        try live.start()
        try await eventually("joined a healthy server") { await alice.isSettled }
        try await alice.insert("caught up", at: 0)
        try await eventually("acknowledged") { await alice.isSettled }
        await alice.disconnect()
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func sessionsConvergeUnderRandomEditsAndNetworkDrops(seed: UInt64) async throws {
        let live = try LiveServer()
        var sessions: [DocumentSession] = []
        var recorders: [EventRecorder] = []
        for index in 0..<3 {
            let (session, recorder) = try live.session("random-\(seed)", seed: seed &+ UInt64(index))
            sessions.append(session)
            recorders.append(recorder)
            await session.connect()
        }
        try await eventually("all joined") { await Self.settled(sessions) }
        var random = SplitMix64(seed: seed)
        var drops = 0
        for _ in 0..<400 {
            let session = sessions[random.int(0..<sessions.count)]
            let length = await session.text.unicodeScalars.count
            do {
                switch random.int(0..<100) {
                case 0..<55:
                    try await session.insert(String(Unicode.Scalar(UInt8(97 + random.int(0..<26)))), at: random.int(0..<(length + 1)))
                case 55..<80 where length > 0:
                    let start = random.int(0..<length)
                    try await session.delete(start..<min(length, start + random.int(1..<4)))
                case 80..<92 where length > 0:
                    let start = random.int(0..<length)
                    try await session.replace(start..<min(length, start + 2), with: "é")
                case 92..<97:
                    drops += 1
                    await session.dropConnection()
                default:
                    try? await Task.sleep(for: .milliseconds(random.int(0..<5)))
                }
            } catch {
                // The text moved between reading its length and editing, or is reloading: skip.
            }
        }
        try await eventually("converged, seed \(seed)", seconds: 15) { await Self.settled(sessions) }
        let text = await sessions[0].text
        let (reader, _) = try live.session("random-\(seed)", seed: 99)
        await reader.connect()
        try await eventually("reader joined") { await reader.isSettled }
        #expect(await reader.text == text, "seed \(seed)")
        #expect(drops > 0, "seed \(seed): no drops exercised")
        for session in sessions + [reader] { await session.disconnect() }
    }

    static let secret = try! JWTSecret(bytes: Array("a client test secret, long enough: 32+ bytes".utf8))

    @Test func unauthorizedIsSurfacedAndNotRetried() async throws {
        let live = try LiveServer(secret: Self.secret)
        let (alice, events) = try live.session("private", token: "not-a-jwt")
        await alice.connect()
        try await eventually("stopped") {
            if case .stopped = await alice.connectionState { return true }
            return false
        }
        guard case .stopped(.unauthorized, hasPendingEdits: false) = await alice.connectionState else {
            Issue.record("state \(await alice.connectionState)")
            return
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(events.states.filter { if case .connecting = $0 { true } else { false } }.count == 1)
    }

    @Test func forbiddenIsSurfacedAndNotRetried() async throws {
        let live = try LiveServer(secret: Self.secret)
        let token = JWT.sign(Claims(subject: "ada", role: .editor, documents: [DocumentPattern("other-*")],
                                    expiresAt: Int(Date().timeIntervalSince1970) + 600), secret: Self.secret)
        let (alice, events) = try live.session("private", token: token)
        await alice.connect()
        try await eventually("stopped") {
            if case .stopped = await alice.connectionState { return true }
            return false
        }
        guard case .stopped(.forbidden(let body), _) = await alice.connectionState else {
            Issue.record("state \(await alice.connectionState)")
            return
        }
        #expect(body.contains("forbidden"))
        #expect(events.states.filter { if case .connecting = $0 { true } else { false } }.count == 1)
        // The right token works (header placement).
        let good = JWT.sign(Claims(subject: "ada", role: .editor, documents: [DocumentPattern("priv*")],
                                   expiresAt: Int(Date().timeIntervalSince1970) + 600), secret: Self.secret)
        let (bob, _) = try live.session("private", token: good)
        await bob.connect()
        try await eventually("bob joined") { await bob.isSettled }
        await bob.disconnect()
    }

    @Test func aNewerConnectionWithTheSameClientIdStopsTheOlder() async throws {
        let live = try LiveServer()
        let (first, _) = try live.session("tabs", clientId: "same-tab-id")
        await first.connect()
        try await eventually("first joined") { await first.isSettled }
        let (second, _) = try live.session("tabs", clientId: "same-tab-id")
        await second.connect()
        try await eventually("first replaced") { await first.connectionState == .stopped(.replaced, hasPendingEdits: false) }
        try await eventually("second joined") { await second.isSettled }
        await second.disconnect()
    }

    @Test func presenceArrivesInLocalCoordinates() async throws {
        let live = try LiveServer()
        let (alice, _) = try live.session("cursors", seed: 5)
        let (bob, bobEvents) = try live.session("cursors", seed: 6)
        await alice.connect()
        await bob.connect()
        try await eventually("joined") { await Self.settled([alice, bob]) }
        try await alice.insert("hello world", at: 0)
        try await eventually("synced") { await Self.settled([alice, bob]) }
        await alice.setSelection(Selection([SelectionRange(anchor: 6, head: 11)]))
        try await eventually("bob sees alice's selection") {
            await bob.participants.first { $0.clientId == alice.clientId }?.selection
                == Selection([SelectionRange(anchor: 6, head: 11)])
        }
        // Bob's own edit before it moves her selection in his view at once.
        try await bob.insert(">> ", at: 0)
        #expect(await bob.participants.first?.selection == Selection([SelectionRange(anchor: 9, head: 14)]))
        await alice.disconnect()
        try await eventually("bob hears alice leave") {
            bobEvents.events.contains(.left(clientId: alice.clientId))
        }
        await bob.disconnect()
    }
}
