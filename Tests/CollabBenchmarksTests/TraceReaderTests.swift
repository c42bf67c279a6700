import CollabBenchmarks
import CollabTestSupport
import Foundation
import Testing

/// The editing-trace reader behind `collab bench ot` and `bench server --scenario coldjoin`.
@Suite struct TraceReaderTests {
    /// Every edit form: insert, delete, replace, several patches in one transaction, escapes
    /// (a surrogate pair among them), unknown keys and values of every kind skipped.
    static let sample = #"""
        {"startContent": "ab\u00e9", "unknown": {"deep": [1, 2.5, true, null, "x"]},
         "txns": [
           {"time": "2020", "patches": [[0, 0, "x"], [3, 1, ""]]},
           {"patches": [[1, 1, "\"q\"\\\n\ud83d\udc4d"]], "extra": false}
         ],
         "endContent": "x\"q\"\\\n👍b"}
        """#

    static func read(_ text: String, pieces: [Int] = []) throws(TraceError) -> Trace {
        var reader = TraceReader()
        let bytes = Array(text.utf8)
        var start = 0
        for end in pieces + [bytes.count] where end > start {
            try bytes[start..<end].withUnsafeBufferPointer { buffer throws(TraceError) in try reader.feed(buffer) }
            start = end
        }
        return try reader.finish()
    }

    /// The text after applying every edit to the start content; nil if an edit falls outside it.
    static func replay(_ trace: Trace) -> String? {
        var scalars = Array(trace.startContent.unicodeScalars)
        for edit in trace.edits {
            let position = Int(edit.position)
            guard position + Int(edit.deleteCount) <= scalars.count else { return nil }
            scalars.replaceSubrange(position..<position + Int(edit.deleteCount),
                                    with: Array(trace.insertedText(of: edit).unicodeScalars))
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        return String(text)
    }

    @Test func everyEditForm() throws {
        let trace = try Self.read(Self.sample)
        #expect(trace.startContent == "abé")
        #expect(trace.endContent == "x\"q\"\\\n👍b")
        #expect(trace.edits.map { [$0.position, $0.deleteCount] } == [[0, 0], [3, 1], [1, 1]])
        #expect(trace.edits.map(trace.insertedText(of:)) == ["x", "", "\"q\"\\\n👍"])
        #expect(Self.replay(trace) == trace.endContent)
    }

    @Test func byteByByteAndRandomPiecesReadTheSame() throws {
        let whole = try Self.read(Self.sample)
        let count = Self.sample.utf8.count
        let single = try Self.read(Self.sample, pieces: Array(1..<count))
        #expect(single.edits == whole.edits && single.insertedUTF8 == whole.insertedUTF8)
        #expect(single.startContent == whole.startContent && single.endContent == whole.endContent)
        var random = SplitMix64(seed: 12)
        for _ in 0..<200 {
            let cuts = (0..<random.int(in: 1...8)).map { _ in random.int(1..<count) }.sorted()
            let pieces = try Self.read(Self.sample, pieces: cuts)
            #expect(pieces.edits == whole.edits && pieces.endContent == whole.endContent, "cuts \(cuts)")
        }
    }

    @Test func truncatedInputFailsAtEveryCut() {
        let bytes = Array(Self.sample.utf8)
        for length in 0..<bytes.count {
            let prefix = String(decoding: bytes[0..<length], as: UTF8.self)
            #expect(throws: TraceError.self, "prefix of \(length) bytes") { try Self.read(prefix) }
        }
    }

    @Test func malformedTracesNameTheProblem() {
        let cases: [(String, String)] = [
            (#"[]"#, "the trace is not an object"),
            (#"{"txns": []}"#, "no \"endContent\""),
            (#"{"txns": [{"patches": [[-1, 0, "x"]]}], "endContent": ""}"#, "patch count"),
            (#"{"txns": [{"patches": [[0.5, 0, "x"]]}], "endContent": ""}"#, "patch count"),
            (#"{"endContent": "\ud800"}"#, "lone surrogate escape"),
            (#"{"endContent": "x"} {}"#, "data after the top-level object"),
            (#"{"endContent": "x"]"#, "']' closes an object"),
            (#"{"endContent": nope}"#, "unknown literal"),
        ]
        for (text, reason) in cases {
            do {
                _ = try Self.read(text)
                Issue.record("\(text) was accepted")
            } catch {
                guard case .malformed(_, let said) = error else {
                    Issue.record("\(text): \(error)")
                    continue
                }
                #expect(said.contains(reason), "\(text): \(said)")
            }
        }
    }

    @Test func aMissingFileIsAClearError() throws {
        let directory = try TemporaryDirectory(prefix: "trace")
        let path = directory.path("missing.json")
        #expect(throws: TraceError.unreadable(path: path, errno: ENOENT)) { try Trace.load(path: path) }
        #expect(TraceError.unreadable(path: path, errno: ENOENT).description == "cannot read \(path) (errno 2)")
    }

    @Test func loadsAFileInPieces() throws {
        let directory = try TemporaryDirectory(prefix: "trace")
        let path = directory.path("trace.json")
        // Larger than one read (1 MB), so the file arrives in several pieces.
        let patches = (0..<120_000).map { "[\($0), 0, \"a\"]" }.joined(separator: ",")
        let text = #"{"startContent": "", "txns": [{"patches": ["# + patches + #"]}], "endContent": ""#
            + String(repeating: "a", count: 120_000) + "\"}"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let trace = try Trace.load(path: path)
        #expect(trace.edits.count == 120_000)
        #expect(Self.replay(trace) == trace.endContent)
    }
}
