import CollabTransport

/// One client loop's editors and counters. Touched only on its loop (kept in a `LoopBound`).
final class ServerBenchmarkLoopState {
    /// Connects and joins in flight per loop: a burst of thousands would overflow the
    /// server's listen backlog and time out, which measures nothing useful.
    static let maxOpening = 64

    let loop: EventLoop
    let configuration: WebSocketClientConfiguration
    let sendTimes: ServerBenchmarkSendTimes
    /// Every editor of this loop, in the order they were created.
    var editors: [ServerBenchmarkEditor] = []
    /// Editors not yet started connecting.
    private var waiting: [ServerBenchmarkEditor] = []
    private var opening = 0

    var joined = 0
    var failed = 0
    var lost = 0
    var firstError: String?
    var errors: [String: Int] = [:]
    /// Counting and sampling latencies (the measured window).
    var measuring = false
    /// Closing on purpose: a close is not a loss.
    var stopping = false

    // Typing.
    private var ticker: TimerHandle?
    private var interval: UInt64 = 0
    private var random = ServerBenchmarkRandom(seed: 1)

    // The measured window's figures.
    var keystrokes = 0
    var opsSent = 0
    var acks = 0
    var deliveries = 0
    var ackLatency = WSBenchmarkHistogram()
    var propagationLatency = WSBenchmarkHistogram()
    /// Connect start → `joined`, for every editor that joined.
    var joinLatency = WSBenchmarkHistogram()

    init(loop: EventLoop, configuration: WebSocketClientConfiguration, sendTimes: ServerBenchmarkSendTimes,
         seed: UInt64) {
        self.loop = loop
        self.configuration = configuration
        self.sendTimes = sendTimes
        random = ServerBenchmarkRandom(seed: seed)
    }

    /// Adds an editor to open (call `openAll` once every editor is added).
    func add(_ editor: ServerBenchmarkEditor) {
        editors.append(editor)
        waiting.append(editor)
    }

    /// Starts connecting, at most `maxOpening` at a time.
    func openAll() {
        waiting.reverse()  // popLast keeps creation order
        openMore()
    }

    private func openMore() {
        while opening < Self.maxOpening, !stopping, let editor = waiting.popLast() {
            opening += 1
            editor.open()
        }
    }

    // MARK: - Editor events

    func editorJoined(_ editor: ServerBenchmarkEditor, after nanoseconds: UInt64) {
        joined += 1
        joinLatency.record(nanoseconds)
        opening -= 1
        openMore()
    }

    func editorFailedToOpen(_ editor: ServerBenchmarkEditor, _ reason: String) {
        failed += 1
        opening -= 1
        note(reason)
        openMore()
    }

    /// A joined editor's connection ended.
    func editorClosed(_ editor: ServerBenchmarkEditor, _ reason: String) {
        if !stopping {
            lost += 1
            note(reason)
        }
    }

    /// An `error` from the server, or a protocol violation the editor noticed.
    func editorError(code: String, _ reason: String) {
        errors[code, default: 0] += 1
        note(reason)
    }

    private func note(_ reason: String) {
        if firstError == nil { firstError = reason }
    }

    // MARK: - Typing

    /// Every joined editor types `rate` keystrokes a second, each starting at a random phase.
    func startTyping(rate: Int) {
        guard rate > 0 else { return }
        interval = 1_000_000_000 / UInt64(rate)
        let now = WSBenchmarkLoops.now()
        for editor in editors {
            editor.nextKeystrokeAt = now + UInt64(random.next(below: Int(interval)))
        }
        scheduleTick()
    }

    func stopTyping() {
        ticker?.cancel()
        ticker = nil
    }

    private func scheduleTick() {
        ticker = loop.scheduleTimer(after: .milliseconds(1)) { [weak self] in
            self?.tick()
        }
    }

    private func tick() {
        let now = WSBenchmarkLoops.now()
        for editor in editors where editor.phase == .joined {
            // A late tick types what fell due meanwhile (composed into one op if one is in
            // flight); more than a second behind, the schedule restarts instead.
            if now > editor.nextKeystrokeAt + 1_000_000_000 { editor.nextKeystrokeAt = now }
            while editor.nextKeystrokeAt <= now {
                editor.type()
                editor.nextKeystrokeAt += interval
            }
        }
        scheduleTick()
    }

    // MARK: - Finishing

    /// Closes every connection, on purpose.
    func closeAll() {
        stopping = true
        stopTyping()
        waiting.removeAll()
        for editor in editors { editor.close() }
        // Each client keeps its editor (and through it this state) until its last callback.
        editors.removeAll()
    }
}
