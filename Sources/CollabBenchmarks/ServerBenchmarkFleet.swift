import CollabCLI
import CollabTransport

/// A set of benchmark editors spread over a group's loops: opened together, typing together,
/// measured together. Several fleets can share one group (the footprint scenario holds idle
/// connections while another fleet types).
///
/// Editors are dealt to loops round-robin, so one document's editors sit on different loops
/// and a propagation sample may cross threads (hence the shared send-time table).
final class ServerBenchmarkFleet: Sendable {
    /// What to open.
    struct Plan: Sendable {
        var documents: Int
        var editorsPerDocument: Int
        /// Document ids are `PREFIX-TAG-N`.
        var documentPrefix: String
        var verify = false
    }

    /// One measured window's figures.
    struct Window: Sendable {
        var seconds: Double
        var keystrokes = 0
        var opsSent = 0
        var acks = 0
        var deliveries = 0
        var ackLatency = WSBenchmarkHistogram()
        var propagationLatency = WSBenchmarkHistogram()
        /// Server CPU seconds (user + system) during the window, with `--server-pid`.
        var serverCPUSeconds: Double?
        /// This process's CPU seconds during the window.
        var clientCPUSeconds: Double
        var serverRSSStartKiB: Int?
        var serverRSSEndKiB: Int?
    }

    let plan: Plan
    let tag: String
    let documentIds: [String]
    private let loops: [EventLoop]
    private let states: [LoopBound<ServerBenchmarkLoopState>]
    /// Seconds from the first connect to the last `joined`.
    let openSeconds: Double

    private init(plan: Plan, tag: String, documentIds: [String], loops: [EventLoop],
                 states: [LoopBound<ServerBenchmarkLoopState>], openSeconds: Double) {
        self.plan = plan
        self.tag = tag
        self.documentIds = documentIds
        self.loops = loops
        self.states = states
        self.openSeconds = openSeconds
    }

    var editorCount: Int { plan.documents * plan.editorsPerDocument }

    /// Opens every editor of `plan` and waits until all have joined.
    static func open(_ plan: Plan, settings: ServerBenchmark.Settings, group: EventLoopGroup,
                     output: CommandOutput) -> Result<ServerBenchmarkFleet, ServerBenchmark.Failure> {
        var generator = SystemRandomNumberGenerator()
        let tag = String(generator.next() & 0xFF_FFFF_FFFF, radix: 36)
        let documentIds = (0..<plan.documents).map { "\(plan.documentPrefix)-\(tag)-\($0)" }
        let loops = group.loops
        let total = plan.documents * plan.editorsPerDocument
        let sendTimes = ServerBenchmarkSendTimes(editors: total)
        let started = WSBenchmarkLoops.now()
        let states = WSBenchmarkLoops.onEach(loops) { loopIndex, loop in
            let state = ServerBenchmarkLoopState(loop: loop, configuration: settings.client, sendTimes: sendTimes,
                                                 seed: UInt64(loopIndex) &+ 0x5EED)
            for index in stride(from: loopIndex, to: total, by: loops.count) {
                let document = index / plan.editorsPerDocument
                let editor = ServerBenchmarkEditor(
                    index: index, documentIndex: document, clientId: "bench-\(tag)-\(index)",
                    url: settings.documentURL(documentIds[document], document: document, editor: index), state: state, verify: plan.verify,
                    seed: UInt64(index) &* 0x9E37_79B9 &+ 1)
                state.add(editor)
            }
            state.openAll()
            return LoopBound(state, eventLoop: loop)
        }
        var lastReport = WSBenchmarkLoops.now()
        let done = WSBenchmarkLoops.wait(timeout: .seconds(180)) {
            let t = totals(loops: loops, states: states)
            if WSBenchmarkLoops.now() - lastReport > 2_000_000_000 {
                output.printDiagnostic("  \(t.joined) of \(total) editors joined")
                lastReport = WSBenchmarkLoops.now()
            }
            return t.joined + t.failed >= total || t.failed > 0
        }
        let fleet = ServerBenchmarkFleet(plan: plan, tag: tag, documentIds: documentIds, loops: loops, states: states,
                                         openSeconds: Double(WSBenchmarkLoops.now() - started) / 1e9)
        let t = fleet.totals()
        guard done, t.failed == 0, t.joined == total else {
            fleet.close()
            return .failure(.init(message: "\(t.joined) of \(total) editors joined"
                                  + (t.error.map { " (\($0))" } ?? "")))
        }
        return .success(fleet)
    }

    /// Counters summed over the loops.
    func totals() -> (joined: Int, failed: Int, lost: Int, errors: [String: Int], error: String?) {
        Self.totals(loops: loops, states: states)
    }

    private static func totals(loops: [EventLoop], states: [LoopBound<ServerBenchmarkLoopState>])
        -> (joined: Int, failed: Int, lost: Int, errors: [String: Int], error: String?) {
        let each = WSBenchmarkLoops.onEach(loops) { index, _ in
            let s = states[index].value
            return (s.joined, s.failed, s.lost, s.errors, s.firstError)
        }
        var errors: [String: Int] = [:]
        for part in each { errors.merge(part.3, uniquingKeysWith: +) }
        return (each.map(\.0).reduce(0, +), each.map(\.1).reduce(0, +), each.map(\.2).reduce(0, +), errors,
                each.compactMap(\.4).first)
    }

    /// Types at `rate` keystrokes per second per editor: `warmup` unmeasured, then `duration`
    /// measured; typing stops at the end of the window.
    func measure(rate: Int, warmup: Duration, duration: Duration, serverPID: Int?) -> Window {
        let states = self.states
        _ = WSBenchmarkLoops.onEach(loops) { index, _ in
            states[index].value.startTyping(rate: rate)
            return 0
        }
        WSBenchmarkLoops.sleep(for: warmup)
        let serverCPUStart = serverPID.flatMap { ServerBenchmarkProcess.cpuSeconds(pid: $0) }
        let serverRSSStart = serverPID.flatMap { WSBenchmark.residentKiB(pid: $0) }
        let clientCPUStart = ServerBenchmarkProcess.ownCPUSeconds()
        let started = WSBenchmarkLoops.onEach(loops) { index, _ -> UInt64 in
            states[index].value.measuring = true
            return WSBenchmarkLoops.now()
        }.min() ?? 0
        WSBenchmarkLoops.sleep(for: duration)
        let parts = WSBenchmarkLoops.onEach(loops) { index, _ -> (UInt64, Int, Int, Int, Int, WSBenchmarkHistogram, WSBenchmarkHistogram) in
            let s = states[index].value
            s.measuring = false
            return (WSBenchmarkLoops.now(), s.keystrokes, s.opsSent, s.acks, s.deliveries, s.ackLatency,
                    s.propagationLatency)
        }
        let serverCPUEnd = serverPID.flatMap { ServerBenchmarkProcess.cpuSeconds(pid: $0) }
        let clientCPUEnd = ServerBenchmarkProcess.ownCPUSeconds()
        let serverRSSEnd = serverPID.flatMap { WSBenchmark.residentKiB(pid: $0) }
        _ = WSBenchmarkLoops.onEach(loops) { index, _ in
            states[index].value.stopTyping()
            return 0
        }
        let ended = parts.map(\.0).max() ?? started
        var window = Window(seconds: Double(ended &- started) / 1e9, clientCPUSeconds: clientCPUEnd - clientCPUStart)
        for part in parts {
            window.keystrokes += part.1
            window.opsSent += part.2
            window.acks += part.3
            window.deliveries += part.4
            window.ackLatency.merge(part.5)
            window.propagationLatency.merge(part.6)
        }
        if let start = serverCPUStart, let end = serverCPUEnd { window.serverCPUSeconds = end - start }
        window.serverRSSStartKiB = serverRSSStart
        window.serverRSSEndKiB = serverRSSEnd
        return window
    }

    /// After typing stopped: waits until every op is acknowledged and every editor of a
    /// document holds the same version, then checks they agree on the text (its length, or
    /// with `verify` the whole text).
    func settle(timeout: Duration) -> Result<Void, ServerBenchmark.Failure> {
        typealias View = (document: Int, version: Int, length: Int, settled: Bool, text: String?)
        let states = self.states, loops = self.loops
        func views() -> [View] {
            WSBenchmarkLoops.onEach(loops) { index, _ -> [View] in
                states[index].value.editors.filter { $0.phase == .joined }.map { editor in
                    (editor.documentIndex, editor.version, editor.length, editor.isSettled,
                     editor.text.map { String($0) })
                }
            }.flatMap { $0 }
        }
        var last: [View] = []
        let quiet = WSBenchmarkLoops.wait(timeout: timeout) {
            last = views()
            guard last.allSatisfy(\.settled) else { return false }
            var versions: [Int: Int] = [:]
            for view in last {
                if let known = versions[view.document], known != view.version { return false }
                versions[view.document] = view.version
            }
            return true
        }
        let t = totals()
        if t.lost > 0 || t.failed > 0 || !t.errors.isEmpty {
            let counts = t.errors.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            return .failure(.init(message: "\(t.lost) connections lost, errors: [\(counts)]"
                                  + (t.error.map { "; first: \($0)" } ?? "")))
        }
        guard quiet else {
            let unsettled = last.filter { !$0.settled }.count
            return .failure(.init(message: "editors did not settle in \(timeout) (\(unsettled) with ops unacknowledged)"))
        }
        var reference: [Int: View] = [:]
        for view in last {
            guard let first = reference[view.document] else {
                reference[view.document] = view
                continue
            }
            if first.length != view.length || first.text != view.text {
                return .failure(.init(message: "editors of \(documentIds[view.document]) diverged at version "
                                      + "\(view.version) (lengths \(first.length) and \(view.length))"))
            }
        }
        return .success(())
    }

    /// Closes every connection and waits briefly for the closes to go out.
    func close() {
        let states = self.states
        _ = WSBenchmarkLoops.onEach(loops) { index, _ in
            states[index].value.closeAll()
            return 0
        }
        WSBenchmarkLoops.sleep(for: .milliseconds(300))
    }
}
