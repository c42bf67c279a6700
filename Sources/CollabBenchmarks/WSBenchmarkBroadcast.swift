import CollabCLI
import CollabTransport

/// The `broadcast` scenario, against a server that relays every message to every connected
/// client (`collab-echo --broadcast`, `ws-echo-node.js --broadcast`): one sender keeps `window`
/// messages in flight, paced by one receiver on its own loop; counts deliveries to receivers.
enum WSBenchmarkBroadcast {
    /// One loop's receivers (and, on loop 0, the sender); touched only on that loop.
    final class LoopState: WSBenchmarkTally {
        var opened = 0
        var failed = 0
        var lost = 0
        var firstError: String?
        var measuring = false
        var stopping = false
        var delivered = 0
        var sent = 0
        var sender: Sender?
        var clients: [WebSocketClient] = []
    }

    /// Counts what a receiver gets; the pacer also tells the sender a message made it round.
    final class Receiver: WebSocketClientDelegate {
        private let state: LoopState
        private let isPacer: Bool

        init(state: LoopState, isPacer: Bool) {
            self.state = state
            self.isPacer = isPacer
        }

        func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
            state.opened += 1
        }

        func webSocketClient(_ client: WebSocketClient, didReceiveText text: String) {
            if state.measuring { state.delivered += 1 }
            if isPacer { state.sender?.oneDelivered() }
        }

        func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8]) {}

        func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError) {
            state.failed += 1
            if state.firstError == nil { state.firstError = "\(error)" }
        }

        func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
            if !state.stopping {
                state.lost += 1
                if state.firstError == nil { state.firstError = "server closed a connection with \(code)" }
            }
        }
    }

    /// The one sender; ignores the copies the server relays back to it.
    final class Sender: WebSocketClientDelegate {
        private let state: LoopState
        private let payload: String
        private let window: Int
        private var client: WebSocketClient?
        private var inFlight = 0

        init(state: LoopState, payload: String, window: Int) {
            self.state = state
            self.payload = payload
            self.window = window
        }

        /// Fills the window (once every receiver is connected).
        func start() {
            while inFlight < window { sendOne() }
        }

        func oneDelivered() {
            inFlight = max(0, inFlight - 1)
            if !state.stopping { sendOne() }
        }

        private func sendOne() {
            guard let client, client.isOpen else { return }
            inFlight += 1
            if state.measuring { state.sent += 1 }
            client.send(text: payload)
        }

        func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
            self.client = client
            state.opened += 1
        }

        func webSocketClient(_ client: WebSocketClient, didReceiveText text: String) {}
        func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8]) {}

        func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError) {
            state.failed += 1
            if state.firstError == nil { state.firstError = "sender: \(error)" }
        }

        func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
            self.client = nil
            if !state.stopping {
                state.lost += 1
                if state.firstError == nil { state.firstError = "server closed the sender with \(code)" }
            }
        }
    }

    static func run(_ settings: WSBenchmark.Settings, output: CommandOutput) -> Result<WSBenchmark.RunResult, WSBenchmark.Failure> {
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(loopCount: settings.loops, logger: .silent)
        } catch {
            return .failure(.init(message: "cannot start event loops: \(error)"))
        }
        defer { group.shutdown() }
        let loops = group.loops
        let payload = String(repeating: "x", count: settings.messageSize)
        let receivers = settings.connections
        let states = WSBenchmarkLoops.onEach(loops) { index, loop in
            let state = LoopState()
            var share = WSBenchmarkLoops.share(of: receivers, loop: index, loopCount: loops.count)
            if index == 0 {
                let pacer = Receiver(state: state, isPacer: true)
                state.clients.append(WebSocketClient.connect(url: settings.url, configuration: settings.client,
                                                             on: loop, delegate: pacer))
                share -= 1
            }
            for _ in 0..<max(0, share) {
                state.clients.append(WebSocketClient.connect(url: settings.url, configuration: settings.client,
                                                             on: loop, delegate: Receiver(state: state, isPacer: false)))
            }
            return LoopBound(state, eventLoop: loop)
        }
        func totals() -> (opened: Int, failed: Int, lost: Int, error: String?) {
            WSBenchmarkLoops.totals(states, on: loops)
        }
        let receiversOpen = WSBenchmarkLoops.wait(timeout: .seconds(60)) {
            let t = totals()
            return t.opened + t.failed >= receivers
        }
        var opening = totals()
        guard receiversOpen, opening.failed == 0 else {
            return .failure(.init(message: "\(opening.opened) of \(receivers) receivers opened"
                                  + (opening.error.map { " (\($0))" } ?? "")))
        }
        // The sender connects last, so nothing it sends can miss a receiver.
        _ = WSBenchmarkLoops.onEach([loops[0]]) { _, loop in
            let state = states[0].value
            let sender = Sender(state: state, payload: payload, window: settings.window)
            state.sender = sender
            state.clients.append(WebSocketClient.connect(url: settings.url, configuration: settings.client,
                                                         on: loop, delegate: sender))
            return 0
        }
        let senderOpen = WSBenchmarkLoops.wait(timeout: .seconds(10)) {
            let t = totals()
            return t.opened + t.failed > receivers
        }
        opening = totals()
        guard senderOpen, opening.failed == 0 else {
            return .failure(.init(message: "the sender did not connect" + (opening.error.map { " (\($0))" } ?? "")))
        }
        _ = WSBenchmarkLoops.onEach([loops[0]]) { _, _ in
            states[0].value.sender?.start()
            return 0
        }
        WSBenchmarkLoops.sleep(for: .seconds(1))
        let started = WSBenchmarkLoops.onEach(loops) { index, _ -> UInt64 in
            states[index].value.measuring = true
            return WSBenchmarkLoops.now()
        }.min() ?? 0
        WSBenchmarkLoops.sleep(for: settings.duration)
        let finished = WSBenchmarkLoops.onEach(loops) { index, _ -> (UInt64, Int, Int) in
            let state = states[index].value
            state.measuring = false
            state.stopping = true
            return (WSBenchmarkLoops.now(), state.delivered, state.sent)
        }
        let ended = finished.map(\.0).max() ?? started
        let lost = totals()
        _ = WSBenchmarkLoops.onEach(loops) { index, _ in
            for client in states[index].value.clients { client.close() }
            return 0
        }
        WSBenchmarkLoops.sleep(for: .milliseconds(300))
        if lost.lost > 0 {
            return .failure(.init(message: "\(lost.lost) connections closed during the run" + (lost.error.map { " (\($0))" } ?? "")))
        }
        let seconds = Double(ended &- started) / 1e9
        let deliveries = Double(finished.map(\.1).reduce(0, +)) / seconds
        let sent = Double(finished.map(\.2).reduce(0, +)) / seconds
        if deliveries == 0 {
            return .failure(.init(message: "no message was relayed: is the server in broadcast mode?"))
        }
        return .success(WSBenchmark.RunResult(value: deliveries, columns: [
            WSBenchmark.formatted(deliveries), WSBenchmark.formatted(sent),
        ]))
    }
}
