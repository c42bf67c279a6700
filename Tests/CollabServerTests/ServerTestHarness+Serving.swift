import Foundation
import Testing

extension ServerTestHarness {
    /// Checks that the server still serves: `/healthz` answers and a fresh client on a fresh
    /// document (with `token` when a secret is set) joins, edits and gets its ack.
    func expectServing(token: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try get("/healthz").status == 200, sourceLocation: sourceLocation)
        let document = "healthy-\(UUID().uuidString.prefix(8))"
        let client = try connect(document, token: token)
        #expect(client.join(clientId: "healthy-client").last?.type == "joined", sourceLocation: sourceLocation)
        client.send(#"{"type":"op","seq":1,"v":0,"op":["ok"]}"#)
        #expect(client.receive(type: "ack")?["v"]?.int == 0, sourceLocation: sourceLocation)
    }

    /// Retries `attempt` (e.g. a connect the server frees up asynchronously) for up to 2 s.
    func eventually<T>(_ attempt: () throws -> T?) rethrows -> T? {
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            if let value = try attempt() { return value }
            guard ContinuousClock.now < deadline else { return nil }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}
