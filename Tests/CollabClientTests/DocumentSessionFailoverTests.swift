import CollabClient
import CollabTestSupport
import Foundation
import Synchronization
import Testing

/// A cluster without a load balancer: the session tries `url`, then each of `alternateURLs`.
@Suite(.serialized) struct DocumentSessionFailoverTests {
    @Test func aRefusedNodeIsSkippedForTheNext() async throws {
        let live = try LiveServer()
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var configuration = DocumentSessionConfiguration(url: "ws://127.0.0.1:1/v1/docs/failover")
        configuration.alternateURLs = [live.url("failover")]
        configuration.backoff = BackoffPolicy(base: .milliseconds(20), cap: .milliseconds(100), stableAfter: .seconds(1))
        let random = Mutex(SplitMix64(seed: 5))
        configuration.random = { random.withLock { Double.random(in: 0..<1, using: &$0) } }
        let session = try DocumentSession(configuration: configuration, eventLoop: live.clientLoops.next())
        await session.connect()
        try await eventually("joined through the second node") { await session.isSettled }
        #expect(await session.currentURL == live.url("failover"))
        try await session.insert("through node 2", at: 0)
        try await eventually("acknowledged") { await session.isSettled }
        // Another client on that node sees the edit.
        let (reader, _) = try live.session("failover", seed: 6)
        await reader.connect()
        try await eventually("the reader has it") { await reader.text == "through node 2" }
        await session.disconnect()
        await reader.disconnect()
    }
}
