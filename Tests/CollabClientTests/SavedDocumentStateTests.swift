import CollabClient
import CollabJSON
import CollabOT
import CollabTransport
import Foundation
import Testing

/// The state file that carries unacknowledged edits across a restart: its format, its atomic
/// writes, its refusals, and that a restored `ClientDocument` lands the edits exactly once.
@Suite struct SavedDocumentStateTests {
    static func temporaryPath(_ name: String = "state.json") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collab-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    static func insert(_ text: String, at position: Int) -> TextOperation {
        var operation = TextOperation()
        operation.retain(position)
        operation.insert(text)
        return operation
    }

    static let sample = SavedDocumentState(
        documentURL: "ws://127.0.0.1:1/v1/docs/notes", clientId: "saved-client-1", lastSeq: 7, version: 12,
        text: "a👨‍👩‍👧b\"\\\n",
        pending: .awaitingWithBuffer(
            PendingOperation(operation: .noop, submission: OperationSubmission(seq: 7, version: 10, operation: insert("x", at: 1))),
            buffer: TextOperation(unchecked: [.retain(1), .insert("👨‍👩‍👧"), .delete(1)])))

    @Test func theStateRoundTripsThroughTheFile() throws {
        let path = try Self.temporaryPath()
        let file = DocumentStateFile(path: path)
        #expect(try file.load() == nil)
        try file.save(Self.sample)
        #expect(try file.load() == Self.sample)
        var synchronized = Self.sample
        synchronized.pending = .synchronized
        synchronized.version = nil
        try file.save(synchronized)
        #expect(try file.load() == synchronized)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test(arguments: [
        "", "{", "[]", "{\"format\":\"something-else\"}",
        #"{"format":"collab-client-state/1","url":"u","clientId":"bad id","lastSeq":1,"version":1,"text":""}"#,
        #"{"format":"collab-client-state/1","url":"u","clientId":"saved-client-1","lastSeq":1,"version":1,"text":"ab","inflight":{"op":[5,"x"]}}"#,
        #"{"format":"collab-client-state/1","url":"u","clientId":"saved-client-1","lastSeq":1,"version":1,"text":"ab","inflight":{"op":["x"],"sent":{"seq":2,"v":0,"op":["x"]}}}"#,
        #"{"format":"collab-client-state/1","url":"u","clientId":"saved-client-1","lastSeq":1,"version":null,"text":"ab","inflight":{"op":["x"]}}"#,
    ])
    func aMalformedFileIsRefusedAndLeftAlone(content: String) throws {
        let path = try Self.temporaryPath()
        try content.write(toFile: path, atomically: false, encoding: .utf8)
        #expect {
            try DocumentStateFile(path: path).load()
        } throws: { error in
            guard case SavedDocumentStateError.malformed(let reason) = error else { return false }
            return reason.hasPrefix(path)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)
    }

    @Test func anUnreadableOrUnwritablePathIsATypedError() throws {
        let directory = URL(fileURLWithPath: try Self.temporaryPath()).deletingLastPathComponent().path
        #expect(throws: SavedDocumentStateError.self) { try DocumentStateFile(path: directory).load() }
        let file = DocumentStateFile(path: directory + "/missing/state.json")
        #expect {
            try file.save(Self.sample)
        } throws: { error in
            if case SavedDocumentStateError.writeFailed = error { true } else { false }
        }
    }

    @Test func aSessionRefusesACorruptFileOrAnotherDocumentsFile() throws {
        let loops = try EventLoopGroup(loopCount: 1)
        defer { loops.shutdown() }
        let path = try Self.temporaryPath()
        try "{not json".write(toFile: path, atomically: false, encoding: .utf8)
        var configuration = DocumentSessionConfiguration(url: "ws://127.0.0.1:1/v1/docs/other")
        configuration.stateFilePath = path
        #expect {
            _ = try DocumentSession(configuration: configuration, eventLoop: loops.next())
        } throws: { error in
            if case CollabClientError.savedState(.malformed) = error { true } else { false }
        }
        try DocumentStateFile(path: path).save(Self.sample)
        #expect(throws: CollabClientError.savedState(.otherDocument(path: path, documentURL: Self.sample.documentURL))) {
            _ = try DocumentSession(configuration: configuration, eventLoop: loops.next())
        }
        configuration.url = Self.sample.documentURL
        let session = try DocumentSession(configuration: configuration, eventLoop: loops.next())
        #expect(session.clientId == Self.sample.clientId)
    }

    /// A client sends an op, the server stores it, the ack never arrives, more is typed, and the
    /// process dies. A new document restored from the last saved state lands each edit once.
    @Test(arguments: [false, true])
    func aRestoredDocumentLandsItsEditsExactlyOnce(serverStoredTheInflightOp: Bool) throws {
        let simulation = try UndoSimulation(text: "abc")
        try simulation.edit(simulation.me, Self.insert("X", at: 1))  // aXbc, in flight as seq 1
        if serverStoredTheInflightOp { try simulation.deliverToServer(simulation.me) }
        try simulation.edit(simulation.other, Self.insert("R", at: 3))
        try simulation.deliverToServer(simulation.other)
        try simulation.edit(simulation.me, Self.insert("Y", at: 4))  // aXbcY, buffered
        let saved = simulation.me.document.savedState(documentURL: "u")
        let path = try Self.temporaryPath()
        try DocumentStateFile(path: path).save(saved)
        simulation.drop(simulation.me)

        // The restart: a fresh document from the file, on a new connection.
        let restored = try #require(try DocumentStateFile(path: path).load())
        simulation.me.document = ClientDocument(restoring: restored)
        #expect(String(simulation.me.document.text) == "aXbcY")
        #expect(simulation.me.document.lastSeq == 1)
        simulation.connect(simulation.me)
        try simulation.deliverAll()
        #expect(simulation.server.text == "aXbcRY")
        #expect(String(simulation.me.document.text) == "aXbcRY")
        #expect(String(simulation.other.document.text) == "aXbcRY")
        // "abc", R, X and Y: four ops, none twice.
        #expect(simulation.server.version == 4)
        #expect(simulation.me.document.pending == .synchronized)
        #expect(simulation.me.document.lastSeq == 2)
    }
}
