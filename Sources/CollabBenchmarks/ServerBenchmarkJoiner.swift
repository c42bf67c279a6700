import CollabTransport

/// One fresh client that joins a document without a version and times the answer: connect
/// start, `join` sent, `joined` received; keeps the snapshot's text. Closes once joined.
final class ServerBenchmarkJoiner: WebSocketClientDelegate {
    /// What one join took and gave.
    struct Outcome: Sendable {
        var connectToJoined: UInt64
        var joinToJoined: UInt64
        var version: Int
        var text: String
    }

    private var started: UInt64 = 0
    private var joinSent: UInt64 = 0
    private var version = 0
    private var text = ""
    private(set) var result: Result<Outcome, ServerBenchmark.Failure>?
    private var client: WebSocketClient?
    private let clientId: String

    private init(clientId: String) {
        self.clientId = clientId
    }

    /// Joins `url` on `loop` and waits (up to a minute) for the outcome.
    static func join(url: String, settings: ServerBenchmark.Settings,
                     loop: EventLoop) -> Result<Outcome, ServerBenchmark.Failure> {
        var generator = SystemRandomNumberGenerator()
        let clientId = "bench-join-" + String(generator.next() & 0xFF_FFFF_FFFF, radix: 36)
        let bound = WSBenchmarkLoops.onEach([loop]) { _, loop in
            let joiner = ServerBenchmarkJoiner(clientId: clientId)
            joiner.started = WSBenchmarkLoops.now()
            joiner.client = WebSocketClient.connect(url: url, configuration: settings.client, on: loop, delegate: joiner)
            return LoopBound(joiner, eventLoop: loop)
        }[0]
        func outcome() -> Result<Outcome, ServerBenchmark.Failure>? {
            WSBenchmarkLoops.onEach([loop]) { _, _ in bound.value.result }[0]
        }
        _ = WSBenchmarkLoops.wait(timeout: .seconds(60)) { outcome() != nil }
        let result = outcome() ?? .failure(.init(message: "no joined within a minute"))
        _ = WSBenchmarkLoops.onEach([loop]) { _, _ in
            bound.value.client?.close()
            return 0
        }
        return result
    }

    func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
        joinSent = WSBenchmarkLoops.now()
        client.send(text: #"{"type":"join","clientId":""# + clientId + #""}"#)
    }

    func webSocketClient(_ client: WebSocketClient, didReceiveText message: String) {
        guard result == nil else { return }
        switch ServerBenchmarkMessage.decode(message) {
        case .failure(let error):
            result = .failure(.init(message: "\(error)"))
        case .success(.snapshot(let snapshotVersion, let snapshotText)):
            version = snapshotVersion
            text = snapshotText
        case .success(.records(let records)):
            // A replay instead of a snapshot: apply it to what we hold.
            for record in records {
                guard record.version == version else {
                    result = .failure(.init(message: "catch-up op \(record.version) while holding \(version)"))
                    return
                }
                do {
                    text = try record.operation.apply(to: text)
                } catch {
                    result = .failure(.init(message: "catch-up op \(record.version) does not apply: \(error)"))
                    return
                }
                version += 1
            }
        case .success(.joined(let joinedVersion)):
            let now = WSBenchmarkLoops.now()
            guard joinedVersion == version else {
                result = .failure(.init(message: "joined at \(joinedVersion) but the answer held \(version)"))
                return
            }
            result = .success(Outcome(connectToJoined: now &- started, joinToJoined: now &- joinSent,
                                      version: version, text: text))
        case .success(.error(let code, let message, _)):
            result = .failure(.init(message: "error \(code): \(message)"))
        case .success(.ack), .success(.ignored):
            break
        }
    }

    func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8]) {}

    func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError) {
        self.client = nil
        if result == nil { result = .failure(.init(message: "cannot connect: \(error)")) }
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        self.client = nil
        if result == nil { result = .failure(.init(message: "closed with \(code) before joined")) }
    }
}
