import Foundation
import CollabStorage
import Testing
@testable import CollabServer

/// The messages nodes exchange over Redis: what one writes the other reads back exactly, and
/// anything else is refused (nil), never half-read.
@Suite struct ClusterMessageTests {
    static let awkward = #"we"ird \ {a,b} é 😀 </script>"#

    static let samples: [ClusterMessage] = [
        .committed(version: 3, at: 1_796_000_000_123, records: [
            OpRecord(doc: "d-1", version: 1, clientId: "client-one", seq: 4, user: awkward, ts: 17, length: 9,
                     opJSON: #"[1,"\"x\\y\n"]"#, deletedJSON: "[]"),
            OpRecord(doc: "d-1", version: 2, clientId: "client-two", seq: 1, user: "bob", ts: 18, length: 8,
                     opJSON: #"[{"d":1}]"#, deletedJSON: #"["é"]"#),
        ]),
        .committed(version: 7, at: nil, records: []),
        .presence(PresenceState(clientId: "client-one", userId: awkward, name: "Ada \"A\"", color: "#e6194b",
                                version: 2, selection: nil)),
        .leave(clientId: "client-one"),
        .roster([]),
        .hello,
        .claimed(clientId: "client-one", generation: 12),
        .deleted,
        .compacted(horizon: 40),
    ]

    @Test(arguments: samples)
    func whatOneNodeWritesTheOtherReadsBack(_ message: ClusterMessage) throws {
        let payload = message.payload(node: "node a/1f", doc: "d-1")
        let parsed = try #require(ClusterMessage.parse(channel: ClusterMessage.channel("d-1"), payload: payload))
        #expect(parsed.node == "node a/1f")
        #expect(parsed.doc == "d-1")
        #expect(parsed.message == message)
    }

    @Test func foreignOrMalformedMessagesAreRefused() {
        let good = ClusterMessage.hello.payload(node: "n", doc: "d-1")
        #expect(ClusterMessage.parse(channel: ClusterMessage.channel("other"), payload: good) == nil, "channel of another document")
        #expect(ClusterMessage.parse(channel: "news", payload: good) == nil)
        for text in [#"{"f":2,"node":"n","doc":"d-1","k":"hello"}"#, #"{"node":"n","doc":"d-1","k":"hello"}"#,
                     #"{"f":1,"node":"n","doc":"d-1","k":"commit"}"#, #"{"f":1,"node":"n","doc":"d-1","k":"unknown"}"#,
                     #"{"f":1,"node":"n","doc":"d-1","k":"commit","v":3,"ops":[{"v":1}]}"#,
                     #"{"f":1,"node":"n","doc":"d-1","k":"claim","clientId":"c","gen":0}"#, "not json", ""] {
            #expect(ClusterMessage.parse(channel: ClusterMessage.channel("d-1"), payload: Array(text.utf8)) == nil, "\(text)")
        }
        // Records that do not end at the announced version are not taken.
        let gap = ClusterMessage.committed(version: 5, at: nil, records: [
            OpRecord(doc: "d-1", version: 1, clientId: "c", seq: 1, user: "u", ts: 1, length: 1, opJSON: #"["a"]"#,
                     deletedJSON: "[]"),
        ]).payload(node: "n", doc: "d-1")
        #expect(ClusterMessage.parse(channel: ClusterMessage.channel("d-1"), payload: gap) == nil)
        // A node's commits gathered into one notice may have another node's versions between
        // them: taken; out of order: not.
        func record(_ version: Int) -> CollabStorage.OpRecord {
            CollabStorage.OpRecord(doc: "d-1", version: version, clientId: "c", seq: version + 1, user: "u", ts: 1, length: 1,
                     opJSON: #"["a"]"#, deletedJSON: "[]")
        }
        let gapped = ClusterMessage.committed(version: 14, at: nil, records: [record(10), record(11), record(13)])
        #expect(ClusterMessage.parse(channel: ClusterMessage.channel("d-1"),
                                     payload: gapped.payload(node: "n", doc: "d-1"))?.message == gapped)
        let shuffled = ClusterMessage.committed(version: 14, at: nil, records: [record(11), record(10), record(13)])
        #expect(ClusterMessage.parse(channel: ClusterMessage.channel("d-1"),
                                     payload: shuffled.payload(node: "n", doc: "d-1")) == nil)
    }
}

@Suite struct ClusterClockTests {
    @Test func readingTheOffsetDoesNotGrowTheClock() {
        let clock = ClusterClock()
        clock.setOffset { 5_000 }
        let local = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        // Each read used to wrap the offset's closure in two more thunks: 300,000 reads then
        // walked a chain 600,000 calls deep and overflowed the stack.
        var last: Int64 = 0
        for _ in 0..<300_000 { last = clock.now() }
        #expect(last - local >= 5_000 && last - local < 5_000 + 60_000)
    }
}
