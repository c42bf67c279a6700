import CollabOT
import CollabTransport

/// One simulated editor: a minimal but complete `collab.v1` client (contract §2.1–2.2).
///
/// It joins without a version, then types: one op in flight, keystrokes typed meanwhile
/// composed into a buffer (ot.js's AwaitingConfirm / AwaitingWithBuffer), every incoming op
/// transformed over the in-flight op and then the buffer (the server's op was committed
/// first, so it goes first), its version advanced by every record and ack. It tracks only
/// the document's length, enough to type valid ops; with `verify` it keeps the whole text
/// too, so editors of one document can be compared at the end.
final class ServerBenchmarkEditor: WebSocketClientDelegate {
    enum Phase: Equatable {
        case waiting, connecting, joining, joined, failed, closed
    }

    /// The op on the wire, with the time it was sent.
    private struct InFlight {
        var seq: Int
        var operation: TextOperation
        var sentAt: UInt64
    }

    /// Position in the run's send-time table.
    let index: Int
    /// Which of the run's documents it edits.
    let documentIndex: Int
    let clientId: String
    private let url: String
    /// Strong: a close can arrive after the run has dropped its states. The state lets go
    /// of its editors when it closes them, so there is no cycle left.
    private let state: ServerBenchmarkLoopState
    private var client: WebSocketClient?
    private(set) var phase = Phase.waiting

    /// The server version this editor holds.
    private(set) var version = 0
    /// Length in scalars of its text: the server's at `version` with the in-flight op and
    /// the buffer applied.
    private(set) var length = 0
    /// The whole text, when verifying.
    private(set) var text: Rope?
    private var inFlight: InFlight?
    private var buffer: TextOperation?
    private var nextSeq = 1
    private var random: ServerBenchmarkRandom
    private var connectStartedAt: UInt64 = 0
    /// When the next keystroke is due (set by the loop's typing schedule).
    var nextKeystrokeAt: UInt64 = 0

    init(index: Int, documentIndex: Int, clientId: String, url: String, state: ServerBenchmarkLoopState,
         verify: Bool, seed: UInt64) {
        self.index = index
        self.documentIndex = documentIndex
        self.clientId = clientId
        self.url = url
        self.state = state
        text = verify ? Rope() : nil
        random = ServerBenchmarkRandom(seed: seed)
    }

    /// True when it has nothing unacknowledged.
    var isSettled: Bool { inFlight == nil && buffer == nil }

    /// The editor index encoded in a benchmark `clientId` (`bench-TAG-INDEX`), or -1.
    static func editorIndex(of clientId: String) -> Int {
        var value = 0
        var multiplier = 1
        for byte in clientId.utf8.reversed() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                return byte == UInt8(ascii: "-") && multiplier > 1 ? value : -1
            }
            value += Int(byte - UInt8(ascii: "0")) * multiplier
            multiplier *= 10
            if multiplier > 1_000_000_000 { return -1 }
        }
        return -1
    }

    // MARK: - Opening and closing

    func open() {
        phase = .connecting
        connectStartedAt = WSBenchmarkLoops.now()
        client = WebSocketClient.connect(url: url, configuration: state.configuration, on: state.loop, delegate: self)
    }

    func close() {
        client?.close()
    }

    func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
        phase = .joining
        client.send(text: #"{"type":"join","clientId":""# + clientId + #""}"#)
    }

    func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError) {
        phase = .failed
        self.client = nil
        state.editorFailedToOpen(self, "\(clientId): cannot connect: \(error)")
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        let wasJoining = phase == .joining
        phase = .closed
        self.client = nil
        let why = "\(clientId): the server closed the connection with \(code) \(reason)"
        if wasJoining {
            state.editorFailedToOpen(self, why)
        } else {
            state.editorClosed(self, why)
        }
    }

    func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8]) {
        fail(code: "binary", "\(clientId): a binary message from the server")
    }

    // MARK: - Inbound

    func webSocketClient(_ client: WebSocketClient, didReceiveText message: String) {
        switch ServerBenchmarkMessage.decode(message) {
        case .failure(let error):
            fail(code: "undecodable", "\(clientId): \(error)")
        case .success(.ignored):
            break
        case .success(.snapshot(let snapshotVersion, let snapshotText)):
            guard phase == .joining else { return fail(code: "protocol", "\(clientId): a snapshot after joined") }
            version = snapshotVersion
            length = snapshotText.unicodeScalars.count
            if text != nil { text = Rope(snapshotText) }
        case .success(.records(let records)):
            for record in records { received(record) }
        case .success(.joined(let joinedVersion)):
            guard phase == .joining, joinedVersion == version else {
                return fail(code: "protocol", "\(clientId): joined at \(joinedVersion) but holds \(version)")
            }
            phase = .joined
            state.editorJoined(self, after: WSBenchmarkLoops.now() &- connectStartedAt)
        case .success(.ack(let seq, let ackVersion)):
            acknowledged(seq: seq, version: ackVersion)
        case .success(.error(let code, let text, let seq)):
            state.editorError(code: code, "\(clientId): error \(code) (seq \(seq.map(String.init) ?? "-")): \(text)")
            if let seq, seq == inFlight?.seq {
                // The op changed nothing but this editor already shows it: stop typing
                // rather than diverge (the run reports the error).
                phase = .failed
            }
        }
    }

    /// A committed op from someone else (or, in a catch-up, this editor's own in-flight op).
    private func received(_ record: ServerBenchmarkMessage.Record) {
        if record.clientId == clientId, let inFlight, inFlight.seq == record.seq {
            acknowledged(seq: record.seq, version: record.version)  // contract §2.1: that record is the ack
            return
        }
        guard record.version == version else {
            return fail(code: "protocol", "\(clientId): op \(record.version) arrived while holding \(version)")
        }
        var operation = record.operation
        if var pending = inFlight {
            (operation, pending.operation) = TextOperation.transform(operation, pending.operation)
            inFlight = pending
        }
        if let pending = buffer {
            let transformed = TextOperation.transform(operation, pending)
            operation = transformed.0
            buffer = transformed.1
        }
        if text != nil {
            do {
                try text?.apply(operation)
            } catch {
                return fail(code: "diverged", "\(clientId): op \(record.version) does not apply: \(error)")
            }
        }
        length += operation.lengthChange
        version += 1
        if state.measuring, phase == .joined {
            state.deliveries += 1
            let author = Self.editorIndex(of: record.clientId)
            if let sent = state.sendTimes.time(editor: author, seq: record.seq) {
                state.propagationLatency.record(WSBenchmarkLoops.now() &- sent)
            }
        }
    }

    private func acknowledged(seq: Int, version ackVersion: Int) {
        guard let pending = inFlight, pending.seq == seq else {
            return fail(code: "protocol", "\(clientId): an ack of seq \(seq), which is not in flight")
        }
        guard ackVersion == version else {
            return fail(code: "protocol", "\(clientId): ack at version \(ackVersion) while holding \(version)")
        }
        version = ackVersion + 1
        inFlight = nil
        if state.measuring {
            state.acks += 1
            state.ackLatency.record(WSBenchmarkLoops.now() &- pending.sentAt)
        }
        if let next = buffer {
            buffer = nil
            // A buffer that transformation emptied is not worth a version.
            if !next.isNoop { send(next) }
        }
    }

    private func fail(code: String, _ reason: String) {
        phase = .failed
        state.editorError(code: code, reason)
    }

    // MARK: - Outbound

    /// One keystroke at a random position: mostly a character (now and then a non-ASCII
    /// one, since positions count scalars), sometimes a backspace.
    func type() {
        guard phase == .joined else { return }
        var operation = TextOperation()
        let position = random.next(below: length + 1)
        let roll = random.next(below: 100)
        if length > 0 && roll < 15 {
            operation.retain(max(0, position - 1))
            operation.delete(1)
        } else {
            operation.retain(position)
            operation.insert(roll == 99 ? "😀" : roll >= 96 ? "é" : Self.letters[random.next(below: Self.letters.count)])
        }
        if text != nil {
            do {
                try text?.apply(operation)
            } catch {
                return fail(code: "diverged", "\(clientId): own keystroke does not apply: \(error)")
            }
        }
        length += operation.lengthChange
        if state.measuring { state.keystrokes += 1 }
        if inFlight == nil {
            send(operation)
        } else if let pending = buffer {
            let composed = TextOperation.compose(pending, operation)
            buffer = composed.isNoop ? nil : composed  // typed and erased while waiting
        } else {
            buffer = operation
        }
    }

    private static let letters = "abcdefghijklmnopqrstuvwxyz      ".map { String($0) }

    private func send(_ operation: TextOperation) {
        guard let client else { return }
        let seq = nextSeq
        nextSeq += 1
        let now = WSBenchmarkLoops.now()
        state.sendTimes.record(editor: index, seq: seq, time: now)
        inFlight = InFlight(seq: seq, operation: operation, sentAt: now)
        if state.measuring { state.opsSent += 1 }
        client.send(text: #"{"type":"op","seq":"# + String(seq) + #","v":"# + String(version) + #","op":"#
                    + operation.json.jsonString + "}")
    }
}
