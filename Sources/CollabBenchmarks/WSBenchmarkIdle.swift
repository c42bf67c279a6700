import CollabCLI
import CollabTransport

/// The `idle` scenario: opens N connections (at most 64 connects in flight per loop), holds
/// them, and reports the server's resident memory per connection from /proc/PID/status.
enum WSBenchmarkIdle {
    /// One loop's share of the connections (touched only on that loop).
    final class LoopState: WebSocketClientDelegate, WSBenchmarkTally {
        private let url: String
        private let configuration: WebSocketClientConfiguration
        private let loop: EventLoop
        var remaining: Int
        var inFlight = 0
        var opened = 0
        var failed = 0
        var lost = 0
        var firstError: String?
        var stopping = false
        var clients: [WebSocketClient] = []

        init(url: String, configuration: WebSocketClientConfiguration, loop: EventLoop, count: Int) {
            self.url = url
            self.configuration = configuration
            self.loop = loop
            remaining = count
            clients.reserveCapacity(count)
        }

        /// Starts connects until 64 are in flight or none remain.
        func startMore() {
            while inFlight < 64 && remaining > 0 && !stopping {
                remaining -= 1
                inFlight += 1
                clients.append(WebSocketClient.connect(url: url, configuration: configuration, on: loop, delegate: self))
            }
        }

        func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
            opened += 1
            inFlight -= 1
            startMore()
        }

        func webSocketClient(_ client: WebSocketClient, didReceiveText text: String) {}
        func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8]) {}

        func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError) {
            failed += 1
            inFlight -= 1
            if firstError == nil { firstError = "\(error)" }
            startMore()
        }

        func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
            if !stopping {
                lost += 1
                if firstError == nil { firstError = "server closed a connection with \(code)" }
            }
        }
    }

    static func run(_ settings: WSBenchmark.Settings, output: CommandOutput) -> Result<WSBenchmark.RunResult, WSBenchmark.Failure> {
        let needed = settings.connections + 64
        if WSBenchmark.descriptorLimit < needed {
            return .failure(.init(message: "the open-file limit (\(WSBenchmark.descriptorLimit)) is below the "
                                  + "\(needed) descriptors \(settings.connections) connections need"))
        }
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(loopCount: settings.loops, logger: .silent)
        } catch {
            return .failure(.init(message: "cannot start event loops: \(error)"))
        }
        defer { group.shutdown() }
        let loops = group.loops
        let serverBefore = WSBenchmark.residentKiB(pid: settings.serverPID)
        let clientBefore = WSBenchmark.residentKiB(pid: nil)
        if settings.serverPID != nil && serverBefore == nil {
            return .failure(.init(message: "cannot read /proc/\(settings.serverPID ?? 0)/status"))
        }
        let connectStart = WSBenchmarkLoops.now()
        let states = WSBenchmarkLoops.onEach(loops) { index, loop in
            let share = WSBenchmarkLoops.share(of: settings.connections, loop: index, loopCount: loops.count)
            let state = LoopState(url: settings.url, configuration: settings.client, loop: loop, count: share)
            state.startMore()
            return LoopBound(state, eventLoop: loop)
        }
        func totals() -> (opened: Int, failed: Int, lost: Int, error: String?) {
            WSBenchmarkLoops.totals(states, on: loops)
        }
        var lastReport = WSBenchmarkLoops.now()
        let done = WSBenchmarkLoops.wait(timeout: .seconds(120)) {
            let t = totals()
            if WSBenchmarkLoops.now() - lastReport > 2_000_000_000 {
                output.printDiagnostic("  \(t.opened) open, \(t.failed) failed")
                lastReport = WSBenchmarkLoops.now()
            }
            return t.opened + t.failed >= settings.connections
        }
        let connectSeconds = Double(WSBenchmarkLoops.now() - connectStart) / 1e9
        let opening = totals()
        guard done, opening.failed == 0 else {
            return .failure(.init(message: "\(opening.opened) of \(settings.connections) connections opened"
                                  + (opening.error.map { " (\($0))" } ?? "")))
        }
        // Let the server finish whatever it does lazily per connection, then hold and measure.
        WSBenchmarkLoops.sleep(for: .seconds(1))
        let serverAfter = WSBenchmark.residentKiB(pid: settings.serverPID)
        let clientAfter = WSBenchmark.residentKiB(pid: nil)
        let held = totals()
        _ = WSBenchmarkLoops.onEach(loops) { index, _ in
            let state = states[index].value
            state.stopping = true
            for client in state.clients { client.close() }
            return 0
        }
        WSBenchmarkLoops.sleep(for: .milliseconds(500))
        if held.lost > 0 {
            return .failure(.init(message: "\(held.lost) connections closed while idle" + (held.error.map { " (\($0))" } ?? "")))
        }
        let n = Double(settings.connections)
        var serverPerConnection = Double.nan
        var serverDeltaMiB = Double.nan
        if let before = serverBefore, let after = serverAfter {
            serverPerConnection = Double(after - before) / n
            serverDeltaMiB = Double(after - before) / 1024
        }
        var clientPerConnection = Double.nan
        if let before = clientBefore, let after = clientAfter { clientPerConnection = Double(after - before) / n }
        return .success(WSBenchmark.RunResult(value: serverPerConnection, columns: [
            WSBenchmark.formatted(serverPerConnection), WSBenchmark.formatted(serverDeltaMiB),
            WSBenchmark.formatted(clientPerConnection), WSBenchmark.formatted(connectSeconds),
        ]))
    }
}
