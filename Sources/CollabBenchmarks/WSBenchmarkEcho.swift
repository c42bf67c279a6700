import CollabCLI
import CollabTransport

/// The `echo` scenario: N connections, each keeping `window` small text messages in flight;
/// counts round trips completed per second and their latency.
enum WSBenchmarkEcho {
    /// One loop's connections and counters (touched only on that loop).
    final class LoopState: WSBenchmarkTally {
        var opened = 0
        var failed = 0
        var lost = 0
        var firstError: String?
        var measuring = false
        var stopping = false
        var completed = 0
        var histogram = WSBenchmarkHistogram()
        var clients: [WebSocketClient] = []
    }

    /// One connection: a ring of send times, one per message in flight (echoes come back in order).
    final class Pipeline: WebSocketClientDelegate {
        private let state: LoopState
        private let payload: String
        private var sendTimes: [UInt64]
        private var head = 0
        private var inFlight = 0

        init(state: LoopState, payload: String, window: Int) {
            self.state = state
            self.payload = payload
            sendTimes = [UInt64](repeating: 0, count: window)
        }

        private func send(_ client: WebSocketClient) {
            sendTimes[(head + inFlight) % sendTimes.count] = WSBenchmarkLoops.now()
            inFlight += 1
            client.send(text: payload)
        }

        func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
            state.opened += 1
            for _ in 0..<sendTimes.count { send(client) }
        }

        func webSocketClient(_ client: WebSocketClient, didReceiveText text: String) {
            guard inFlight > 0 else { return }
            let sent = sendTimes[head]
            head = (head + 1) % sendTimes.count
            inFlight -= 1
            if state.measuring {
                state.completed += 1
                state.histogram.record(WSBenchmarkLoops.now() &- sent)
            }
            if !state.stopping { send(client) }
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
        let states = WSBenchmarkLoops.onEach(loops) { index, loop in
            let state = LoopState()
            let share = WSBenchmarkLoops.share(of: settings.connections, loop: index, loopCount: loops.count)
            for _ in 0..<share {
                let pipeline = Pipeline(state: state, payload: payload, window: settings.window)
                state.clients.append(WebSocketClient.connect(url: settings.url, configuration: settings.client,
                                                             on: loop, delegate: pipeline))
            }
            return LoopBound(state, eventLoop: loop)
        }
        func totals() -> (opened: Int, failed: Int, lost: Int, error: String?) {
            WSBenchmarkLoops.totals(states, on: loops)
        }
        let allOpen = WSBenchmarkLoops.wait(timeout: .seconds(30)) {
            let t = totals()
            return t.opened + t.failed >= settings.connections
        }
        let opening = totals()
        guard allOpen, opening.failed == 0 else {
            return .failure(.init(message: "\(opening.opened) of \(settings.connections) connections opened"
                                  + (opening.error.map { " (\($0))" } ?? "")))
        }
        // Warm up (caches, TCP windows, the server's allocator), then measure.
        WSBenchmarkLoops.sleep(for: .seconds(1))
        let started = WSBenchmarkLoops.onEach(loops) { index, _ -> UInt64 in
            states[index].value.measuring = true
            return WSBenchmarkLoops.now()
        }.min() ?? 0
        WSBenchmarkLoops.sleep(for: settings.duration)
        let finished = WSBenchmarkLoops.onEach(loops) { index, _ -> (UInt64, Int, WSBenchmarkHistogram) in
            let state = states[index].value
            state.measuring = false
            state.stopping = true
            return (WSBenchmarkLoops.now(), state.completed, state.histogram)
        }
        let ended = finished.map(\.0).max() ?? started
        let completed = finished.map(\.1).reduce(0, +)
        var histogram = WSBenchmarkHistogram()
        for part in finished { histogram.merge(part.2) }
        let lost = totals()
        if lost.lost > 0 {
            return .failure(.init(message: "\(lost.lost) connections closed during the run" + (lost.error.map { " (\($0))" } ?? "")))
        }
        _ = WSBenchmarkLoops.onEach(loops) { index, _ in
            for client in states[index].value.clients { client.close() }
            return 0
        }
        WSBenchmarkLoops.sleep(for: .milliseconds(200))
        let seconds = Double(ended &- started) / 1e9
        let rate = Double(completed) / seconds
        return .success(WSBenchmark.RunResult(value: rate, columns: [
            WSBenchmark.formatted(rate), WSBenchmark.micros(histogram.percentile(0.5)),
            WSBenchmark.micros(histogram.percentile(0.99)), WSBenchmark.micros(histogram.percentile(0.999)),
        ]))
    }
}
