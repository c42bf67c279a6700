import CollabClient
import CollabOT
import Foundation
import Synchronization
import Testing
import CollabTestSupport

/// Undo and the state file through `DocumentSession` against a real `CollaborationServer`.
@Suite(.serialized) struct DocumentSessionUndoLiveTests {
    static func settled(_ sessions: [DocumentSession]) async -> Bool {
        var texts: Set<String> = []
        for session in sessions {
            guard await session.isSettled else { return false }
            texts.insert(await session.text)
        }
        return texts.count == 1
    }

    /// A session on `document` of `live` that keeps its edits in `stateFile`.
    static func session(_ live: LiveServer, _ document: String, stateFile: String,
                        configure: (inout DocumentSessionConfiguration) -> Void = { _ in }) throws -> DocumentSession {
        var configuration = DocumentSessionConfiguration(url: live.url(document))
        configuration.backoff = BackoffPolicy(base: .milliseconds(20), cap: .milliseconds(200), stableAfter: .seconds(1))
        configuration.stateFilePath = stateFile
        configure(&configuration)
        return try DocumentSession(configuration: configuration, eventLoop: live.clientLoops.next())
    }

    /// The text and version a newcomer loads from the server.
    static func serverState(_ live: LiveServer, _ document: String) async throws -> (String, Int?) {
        let (reader, _) = try live.session(document, seed: 77)
        await reader.connect()
        try await eventually("reader joined") { await reader.isSettled }
        let state = (await reader.text, await reader.version)
        await reader.disconnect()
        return state
    }

    @Test func offlineEditsInTheStateFileLandOnceAfterTheSessionIsGone() async throws {
        let live = try LiveServer()
        let stateFile = live.directory.appendingPathComponent("alice.state").path
        var first: DocumentSession? = try Self.session(live, "offline", stateFile: stateFile)
        let clientId = first!.clientId
        await first!.connect()
        try await eventually("joined") { await first!.isSettled }
        try await first!.insert("base", at: 0)
        try await eventually("acknowledged") { await first!.isSettled }

        live.stop()
        try await eventually("offline") {
            if case .connected = await first!.connectionState { return false }
            return true
        }
        try await first!.insert(" one", at: 4)
        try await first!.insert("[", at: 0)
        try await first!.insert("]", at: 9)
        #expect(await first!.text == "[base one]")
        await first!.disconnect()
        first = nil  // The process "dies": only the file is left.

        try live.start()
        let second = try Self.session(live, "offline", stateFile: stateFile)
        #expect(second.clientId == clientId)
        #expect(await second.text == "[base one]")
        await second.connect()
        try await eventually("resubmitted") { await second.isSettled }
        #expect(await second.text == "[base one]")
        let (text, version) = try await Self.serverState(live, "offline")
        #expect(text == "[base one]")
        #expect(version == 2, "the base op and one composed offline op")
        await second.disconnect()
    }

    /// The op is stored but the ack is not yet back when the process dies (a 400 ms commit
    /// delay holds the ack); the file written before sending makes the restart resubmit the same
    /// seq, which the server answers with the stored op's ack instead of applying it again.
    @Test func anOpSentButNotAcknowledgedBeforeTheCrashLandsOnce() async throws {
        let live = try LiveServer { $0.commitDelay = .milliseconds(400) }
        let stateFile = live.directory.appendingPathComponent("bob.state").path
        let crashCopy = live.directory.appendingPathComponent("bob.crash").path
        let first = try Self.session(live, "crash", stateFile: stateFile)
        await first.connect()
        try await eventually("joined") { await first.isSettled }
        try await first.insert("once", at: 0)
        // What a crash right now would leave on disk: the op, sent and unacknowledged.
        try FileManager.default.copyItem(atPath: stateFile, toPath: crashCopy)
        let saved = try #require(try DocumentStateFile(path: crashCopy).load())
        guard case .awaitingAck(let inflight) = saved.pending, let submission = inflight.submission else {
            Issue.record("the file does not hold the sent op: \(saved.pending)")
            return
        }
        #expect(submission.seq == 1)
        try await eventually("stored and acknowledged") { await first.isSettled }
        await first.disconnect()

        let second = try Self.session(live, "crash", stateFile: crashCopy)
        await second.connect()
        try await eventually("rejoined") { await second.isSettled }
        #expect(await second.text == "once")
        let (text, version) = try await Self.serverState(live, "crash")
        #expect(text == "once")
        #expect(version == 1)
        // New edits continue the numbering instead of colliding with the stored seq 1.
        try await second.insert("!", at: 4)
        try await eventually("acknowledged") { await second.isSettled }
        #expect(try await Self.serverState(live, "crash") == ("once!", 2))
        await second.disconnect()
    }

    @Test func undoWhileSomeoneElseTypesConverges() async throws {
        let live = try LiveServer()
        let stateFile = live.directory.appendingPathComponent("undo.state").path
        // A manual clock: every keystroke 1 s apart, so each is its own undo step.
        let clock = Mutex(ContinuousClock.now)
        let alice = try Self.session(live, "undo", stateFile: stateFile) { configuration in
            configuration.now = { clock.withLock { $0 += .seconds(1); return $0 } }
        }
        let (bob, _) = try live.session("undo", seed: 5)
        await alice.connect()
        await bob.connect()
        try await eventually("joined") { await Self.settled([alice, bob]) }
        try await bob.insert("0123456789", at: 0)
        try await eventually("base everywhere") { await alice.text == "0123456789" }

        var random = SplitMix64(seed: 0x4C49_5645)
        let typing = Task {
            // Bob keeps typing capital letters while Alice edits and undoes.
            for index in 0..<150 {
                let length = await bob.text.unicodeScalars.count
                try? await bob.insert(String(Unicode.Scalar(UInt8(65 + index % 26))), at: (index * 7) % (length + 1))
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        for _ in 0..<60 {
            let length = await alice.text.unicodeScalars.count
            if random.chance(0.3), length > 0 {
                let start = random.int(0..<length)
                let scalars = Array(await alice.text.unicodeScalars)
                // Only Bob's capitals and the base digits: never Alice's own text, so the check below is exact.
                if scalars[start].properties.isLowercase { continue }
                try? await alice.delete(start..<(start + 1))
            } else {
                try? await alice.insert(String(Unicode.Scalar(UInt8(97 + random.int(0..<26)))), at: random.int(0..<(length + 1)))
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
        var undone = 0
        while await alice.canUndo {
            if try await alice.undo() != nil { undone += 1 }
            try? await Task.sleep(for: .milliseconds(1))
        }
        await typing.value
        try await eventually("converged") { await Self.settled([alice, bob]) }
        let text = await alice.text
        #expect(undone > 30)
        #expect(!text.unicodeScalars.contains { $0.properties.isLowercase }, "Alice's letters survived: \(text)")
        #expect(text.unicodeScalars.filter { $0.properties.isUppercase }.count == 150, "Bob's letters: \(text)")
        #expect(text.unicodeScalars.filter { ("0"..."9").contains($0) }.count == 10, "digits: \(text)")
        for session in [alice, bob] { await session.disconnect() }
    }
}
