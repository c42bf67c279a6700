import CollabClient
import CollabTransport
import Testing
import CollabTestSupport

@Suite struct BackoffPolicyTests {
    @Test func ceilingsDoubleFromOneSecondUpToThirty() {
        var policy = BackoffPolicy()
        var ceilings: [Duration] = []
        for _ in 0..<8 {
            ceilings.append(policy.ceiling)
            _ = policy.nextDelay(unitRandom: 0.5)
        }
        #expect(ceilings == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
        for _ in 0..<200 { _ = policy.nextDelay(unitRandom: 0.5) }
        #expect(policy.ceiling == .seconds(30))
    }

    @Test func fullJitterSpansZeroToTheCeiling() {
        var random = SplitMix64(seed: 42)
        for attempt in 0..<12 {
            var low = BackoffPolicy(), high = BackoffPolicy(), any = BackoffPolicy()
            for _ in 0..<attempt {
                _ = low.nextDelay(unitRandom: 0)
                _ = high.nextDelay(unitRandom: 0)
                _ = any.nextDelay(unitRandom: 0)
            }
            let ceiling = any.ceiling
            #expect(low.nextDelay(unitRandom: 0) == .zero)
            #expect(high.nextDelay(unitRandom: 0.999_999) <= ceiling)
            let delay = any.nextDelay(unitRandom: Double.random(in: 0..<1, using: &random))
            #expect(delay >= .zero && delay <= ceiling, "attempt \(attempt): \(delay)")
        }
        var half = BackoffPolicy()
        _ = half.nextDelay(unitRandom: 0)
        _ = half.nextDelay(unitRandom: 0)
        #expect(half.nextDelay(unitRandom: 0.5) == .seconds(2))
    }

    @Test func aStableConnectionResetsAShortOneDoesNot() {
        var policy = BackoffPolicy()
        for _ in 0..<4 { _ = policy.nextDelay(unitRandom: 0.5) }
        policy.connectionEnded(uptime: .seconds(9))
        #expect(policy.ceiling == .seconds(16))
        policy.connectionEnded(uptime: .seconds(10))
        #expect(policy.failures == 0)
        #expect(policy.ceiling == .seconds(1))
    }

    @Test func serverRequestedRetryIsImmediateOnlyOnce() {
        var policy = BackoffPolicy()
        #expect(policy.nextDelayAfterServerRequest(unitRandom: 0.9) == .zero)
        // It keeps happening: no storm, back off.
        #expect(policy.nextDelayAfterServerRequest(unitRandom: 0.5) == .seconds(1))
        #expect(policy.nextDelayAfterServerRequest(unitRandom: 0.5) == .seconds(2))
        policy.connectionEnded(uptime: .seconds(60))
        #expect(policy.nextDelayAfterServerRequest(unitRandom: 0.5) == .zero)
    }

    @Test func closeCodesAndRejectionsMapToTheContractsPolicy() {
        #expect(ReconnectDecision.forClose(code: .goingAway) == .immediate)
        #expect(ReconnectDecision.forClose(code: .tryAgainLater) == .immediate)
        #expect(ReconnectDecision.forClose(code: .abnormalClosure) == .backoff)
        #expect(ReconnectDecision.forClose(code: .internalError) == .backoff)
        #expect(ReconnectDecision.forClose(code: .rateLimited) == .backoff)
        #expect(ReconnectDecision.forClose(code: .replaced) == .stop(.replaced))
        #expect(ReconnectDecision.forClose(code: .tokenExpired) == .renewToken)
        #expect(ReconnectDecision.forClose(code: .versionAhead) == .reload)
        #expect(ReconnectDecision.forClose(code: .versionGone) == .reload)
        let body = Array(#"{"error":"forbidden","message":"no"}"#.utf8)
        #expect(ReconnectDecision.forConnectError(.handshakeRejected(status: 401, headers: HTTPHeaders(), body: [])) == .renewToken)
        #expect(ReconnectDecision.forConnectError(.handshakeRejected(status: 403, headers: HTTPHeaders(), body: body))
                == .stop(.forbidden(#"{"error":"forbidden","message":"no"}"#)))
        #expect(ReconnectDecision.forConnectError(.handshakeRejected(status: 503, headers: HTTPHeaders(), body: [])) == .backoff)
        #expect(ReconnectDecision.forConnectError(.handshakeTimedOut) == .backoff)
        guard case .stop(.refused) = ReconnectDecision.forConnectError(.handshakeRejected(status: 404, headers: HTTPHeaders(), body: [])) else {
            Issue.record("404 should stop")
            return
        }
    }
}
