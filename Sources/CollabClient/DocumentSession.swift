import CollabOT
import CollabTransport

/// A live, collaboratively edited document: connects, joins, keeps the local text in sync with
/// the server and with other clients, and reconnects on its own.
///
/// Local edits apply at once and are sent one op at a time (the rest composed while waiting);
/// edits made offline are kept and sent, in order, after the next join. Everything the
/// application needs to redraw arrives on `events`.
///
///     let session = try DocumentSession(configuration: .init(url: "ws://127.0.0.1:8080/v1/docs/notes"),
///                                        eventLoop: group.next())
///     await session.connect()
///     for await event in session.events { ... }
public actor DocumentSession {
    /// Everything the session reports, in order. Single consumer; buffered without bound, so read it.
    public nonisolated let events: AsyncStream<CollabEvent>
    /// This session's client id.
    public nonisolated let clientId: String

    private let configuration: DocumentSessionConfiguration
    private let eventLoop: EventLoop
    private let eventContinuation: AsyncStream<CollabEvent>.Continuation
    private var document: ClientDocument
    private var backoff: BackoffPolicy
    private var token: String?
    /// Which of `url` and `alternateURLs` the next connection goes to.
    private var urlIndex = 0
    private var state: ConnectionState = .stopped(.disconnected, hasPendingEdits: false)

    private var runTask: Task<Void, Never>?
    private var connection: WebSocketClientConnection?
    private var outbox: AsyncStream<String>.Continuation?
    /// Set when the document asks to end the current connection (reload, protocol error).
    private var forcedDecision: ReconnectDecision?

    /// Where the pending edits are kept across restarts, if configured.
    private let stateFile: DocumentStateFile?
    /// What the file holds, to write only when the edits or the numbering changed.
    private var lastSaved: SavedKey?

    private struct SavedKey: Equatable {
        var lastSeq: Int
        var version: Int?
        var pending: PendingEdits

        init(_ document: ClientDocument) {
            lastSeq = document.lastSeq
            // While edits are pending the version must match them; otherwise an older one is fine.
            version = document.pending.isEmpty ? nil : document.version
            pending = document.pending
        }
    }

    private var presenceTask: Task<Void, Never>?
    private var lastPresenceSent: ContinuousClock.Instant?
    private var syncWaiters: [CheckedContinuation<Void, Never>] = []

    /// A session, not yet connected. Throws `.invalidClientId` for a malformed configured id, and
    /// `.savedState` for a state file that cannot be read, is malformed or belongs to another
    /// document (the file is left as it is: move it away to start afresh).
    public init(configuration: DocumentSessionConfiguration, eventLoop: EventLoop) throws(CollabClientError) {
        guard ClientID.isValid(configuration.clientId) else { throw .invalidClientId(configuration.clientId) }
        self.configuration = configuration
        self.eventLoop = eventLoop
        if let path = configuration.stateFilePath {
            let file = DocumentStateFile(path: path)
            let saved: SavedDocumentState?
            do { saved = try file.load() } catch { throw .savedState(error) }
            if let saved, saved.documentURL != configuration.url {
                throw .savedState(.otherDocument(path: path, documentURL: saved.documentURL))
            }
            stateFile = file
            if let saved {
                document = ClientDocument(restoring: saved, undoGrouping: configuration.undoGrouping,
                                          undoLimit: configuration.undoLimit)
                lastSaved = SavedKey(document)
            } else {
                document = ClientDocument(clientId: configuration.clientId, undoGrouping: configuration.undoGrouping,
                                          undoLimit: configuration.undoLimit)
            }
        } else {
            stateFile = nil
            document = ClientDocument(clientId: configuration.clientId, undoGrouping: configuration.undoGrouping,
                                      undoLimit: configuration.undoLimit)
        }
        clientId = document.clientId
        backoff = configuration.backoff
        token = configuration.token
        (events, eventContinuation) = AsyncStream.makeStream(of: CollabEvent.self)
    }

    // MARK: - Reading

    /// The current local text (pending local edits included).
    public var text: String { String(document.text) }
    /// The server version the local text is based on; nil until loaded.
    public var version: Int? { document.version }
    /// The connection state.
    public var connectionState: ConnectionState { state }
    /// Local edits the server has not acknowledged, composed; nil if none.
    public var pendingEdits: TextOperation? { document.pending.composed }
    /// The other participants, selections in local coordinates, ordered by client id.
    public var participants: [Participant] {
        document.participants.values.sorted { $0.clientId < $1.clientId }
    }
    /// The local selection (local coordinates).
    public var selection: Selection? { document.selection }
    /// The role the server granted.
    public var role: DocumentRole? { document.role }

    // MARK: - Editing

    /// Applies `operation` (made against the current local text) and sends it when it can.
    /// Edits within `undoGrouping` of each other that touch form one undo step.
    public func apply(_ operation: TextOperation) throws(ClientDocumentError) {
        afterLocalEdit(try document.applyLocal(operation, at: configuration.now()))
    }

    /// Whether there is a step of this user's own editing to undo.
    public var canUndo: Bool { document.canUndo }
    /// Whether there is an undone step to redo.
    public var canRedo: Bool { document.canRedo }

    /// Reverts this user's latest undo step, leaving everyone else's edits alone, and sends the
    /// revert like any edit. The selection moves back to where the step was made from (also
    /// returned). Steps others have deleted entirely are skipped. Nil if nothing to undo.
    @discardableResult
    public func undo() throws(ClientDocumentError) -> UndoOutcome? {
        guard let (outcome, message) = try document.undo() else { return nil }
        afterLocalEdit(message)
        schedulePresence()
        return outcome
    }

    /// Re-applies the latest undone step (see `undo()`). Nil if nothing to redo.
    @discardableResult
    public func redo() throws(ClientDocumentError) -> UndoOutcome? {
        guard let (outcome, message) = try document.redo() else { return nil }
        afterLocalEdit(message)
        schedulePresence()
        return outcome
    }

    /// Reverts the latest change to the text, whoever made it: not the default `undo()`, for
    /// applications that offer it separately. Nil if nothing changed since the text loaded.
    @discardableResult
    public func undoLastChangeByAnyone() throws(ClientDocumentError) -> UndoOutcome? {
        guard let (outcome, message) = try document.undoLastChangeByAnyone(at: configuration.now()) else { return nil }
        afterLocalEdit(message)
        schedulePresence()
        return outcome
    }

    private func afterLocalEdit(_ message: OutboundMessage?) {
        if let message { send(message) }
        saveIfChanged()
        if document.pending.isEmpty { resumeSyncWaiters() }
        // "Offline with pending edits" as soon as there are some.
        if case .reconnecting(let delay, let attempt, false) = state, !document.pending.isEmpty {
            setState(.reconnecting(delay: delay, attempt: attempt, hasPendingEdits: true))
        }
    }

    /// Inserts `string` at scalar offset `position`.
    public func insert(_ string: String, at position: Int) throws(ClientDocumentError) {
        try checkBounds(position..<position)
        var operation = TextOperation()
        operation.retain(position)
        operation.insert(string)
        try apply(operation)
    }

    /// Deletes the scalars in `range`.
    public func delete(_ range: Range<Int>) throws(ClientDocumentError) {
        try replace(range, with: "")
    }

    /// Replaces the scalars in `range` with `string`.
    public func replace(_ range: Range<Int>, with string: String) throws(ClientDocumentError) {
        try checkBounds(range)
        var operation = TextOperation()
        operation.retain(range.lowerBound)
        operation.insert(string)
        operation.delete(range.count)
        try apply(operation)
    }

    private func checkBounds(_ range: Range<Int>) throws(ClientDocumentError) {
        let length = document.text.count
        guard range.lowerBound >= 0 else { throw .outOfBounds(position: range.lowerBound, length: length) }
        guard range.upperBound <= length else { throw .outOfBounds(position: range.upperBound, length: length) }
    }

    /// Sets the local selection (local coordinates) and shares it, at most every `presenceInterval`.
    public func setSelection(_ selection: Selection?) {
        document.setSelection(selection)
        schedulePresence()
    }

    /// Returns once nothing local is unacknowledged (at once if so now), or the session stopped.
    public func synchronized() async {
        if document.pending.isEmpty { return }
        if case .stopped = state { return }
        await withCheckedContinuation { syncWaiters.append($0) }
    }

    // MARK: - Connecting

    /// Starts connecting (and reconnecting as needed) in the background. Does nothing if running.
    public func connect() {
        guard runTask == nil else { return }
        runTask = Task { await self.run() }
    }

    /// Closes the connection and stops reconnecting. Pending edits stay in memory: `connect()` sends them.
    public func disconnect() async {
        guard let task = runTask else { return }
        task.cancel()
        if let connection { await connection.close() }
        await task.value
    }

    /// Drops the current connection as a network failure would; the session reconnects and
    /// resubmits (e.g. after the device changed networks, or to test recovery).
    public func dropConnection() async {
        if let connection { await connection.close(code: .goingAway, reason: "client drop") }
    }

    private func run() async {
        while !Task.isCancelled {
            setState(.connecting(attempt: backoff.failures + 1))
            let decision = await connectOnce()
            if Task.isCancelled { break }
            // A failure moves on to the next node, if there are several.
            urlIndex = (urlIndex + 1) % (configuration.alternateURLs.count + 1)
            let delay: Duration
            switch decision {
            case .stop(let reason):
                finish(reason)
                return
            case .backoff:
                delay = backoff.nextDelay(unitRandom: configuration.random())
            case .immediate:
                delay = backoff.nextDelayAfterServerRequest(unitRandom: configuration.random())
            case .reload:
                if let discarded = document.dropCopy() { emit(.pendingEditsDiscarded(discarded)) }
                saveIfChanged()
                delay = backoff.nextDelayAfterServerRequest(unitRandom: configuration.random())
            case .renewToken:
                guard let provider = configuration.tokenProvider, let fresh = await provider() else {
                    finish(.unauthorized("token refused or expired"))
                    return
                }
                token = fresh
                delay = backoff.nextDelayAfterServerRequest(unitRandom: configuration.random())
            }
            if delay > .zero {
                setState(.reconnecting(delay: delay, attempt: backoff.failures, hasPendingEdits: !document.pending.isEmpty))
                do {
                    try await configuration.sleep(delay)
                } catch {
                    break
                }
            }
        }
        finish(.disconnected)
    }

    /// One connection from connect to close; says what to do next.
    private func connectOnce() async -> ReconnectDecision {
        let opened: WebSocketClientConnection
        do {
            opened = try await WebSocketClient.connect(url: connectURL(), configuration: webSocketConfiguration(),
                                                       on: eventLoop)
        } catch {
            emit(.error(.connectFailed(error.description)))
            return ReconnectDecision.forConnectError(error)
        }
        if Task.isCancelled {
            await opened.close()
            return .stop(.disconnected)
        }
        connection = opened
        forcedDecision = nil
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        outbox = continuation
        // One writer per connection keeps messages in the order they were queued.
        let writer = Task {
            for await text in stream {
                do { try await opened.send(text: text) } catch { break }
            }
        }
        send(document.beginJoin(user: configuration.user))

        var closeCode = WebSocketCloseCode.abnormalClosure
        var joinedAt: ContinuousClock.Instant?
        while let event = await opened.next() {
            switch event {
            case .message(.text(let text)):
                if receive(text), joinedAt == nil, document.phase == .joined { joinedAt = .now }
                if forcedDecision != nil { await opened.close(code: .normalClosure) }
            case .message(.binary):
                continue
            case .closed(let code, let reason):
                closeCode = code
                if forcedDecision == nil, !Task.isCancelled {
                    emit(.error(.connectionClosed(code: code.rawValue, reason: reason)))
                }
            }
        }
        continuation.finish()
        writer.cancel()
        outbox = nil
        connection = nil
        document.connectionLost()
        if Task.isCancelled {
            await opened.close()
            return .stop(.disconnected)
        }
        if let joinedAt { backoff.connectionEnded(uptime: .now - joinedAt) }
        if let forcedDecision { return forcedDecision }
        return ReconnectDecision.forClose(code: closeCode)
    }

    /// Handles one text message; true if it was understood.
    private func receive(_ text: String) -> Bool {
        let effects: [ClientDocumentEffect]
        do {
            effects = try document.receive(InboundMessage(text: text))
        } catch {
            emit(.error(.protocolViolation(error.message)))
            forcedDecision = error.requiresReload ? .reload : .backoff
            return false
        }
        for effect in effects { perform(effect) }
        saveIfChanged()
        return true
    }

    private func perform(_ effect: ClientDocumentEffect) {
        switch effect {
        case .send(let message):
            send(message)
        case .joined(let version):
            setState(.connected(version: version))
            if document.selection != nil { sendPresenceNow() }
        case .remoteEdit(let edit):
            emit(.remoteEdit(edit))
        case .textReplaced(let discarded):
            if let discarded { emit(.pendingEditsDiscarded(discarded)) }
            emit(.textReplaced)
        case .acknowledged(let seq, let version):
            emit(.acknowledged(seq: seq, version: version))
            if document.pending.isEmpty { resumeSyncWaiters() }
        case .presence(let participant):
            emit(.presence(participant))
        case .left(let id):
            emit(.left(clientId: id))
        case .resubmitLater(let seq):
            let delay = configuration.resubmitDelay
            let sleep = configuration.sleep
            Task {
                try? await sleep(delay)
                self.resubmit(seq: seq)
            }
        case .rejoinRequired(let code, let message, let discarded):
            emit(.error(.editRejected(code: code, message: message)))
            if let discarded { emit(.pendingEditsDiscarded(discarded)) }
            forcedDecision = .immediate
        case .serverError(let code, let message, _):
            emit(.error(.server(code: code, message: message)))
        }
    }

    private func resubmit(seq: Int) {
        if let message = document.resubmission(seq: seq) { send(message) }
    }

    // MARK: - Presence

    private func schedulePresence() {
        guard presenceTask == nil, document.phase == .joined else { return }
        let wait: Duration
        if let last = lastPresenceSent {
            wait = max(.zero, configuration.presenceInterval - (.now - last))
        } else {
            wait = .zero
        }
        if wait == .zero {
            sendPresenceNow()
            return
        }
        let sleep = configuration.sleep
        presenceTask = Task {
            try? await sleep(wait)
            self.flushPresence()
        }
    }

    private func flushPresence() {
        presenceTask = nil
        sendPresenceNow()
    }

    private func sendPresenceNow() {
        guard let message = document.presenceMessage() else { return }
        lastPresenceSent = .now
        send(message)
    }

    // MARK: - Plumbing

    private func send(_ message: OutboundMessage) {
        // A numbered op must be on disk before the server can store it: after a crash the
        // restarted session must resubmit it under the same seq, not number it afresh.
        if case .op = message { saveIfChanged() }
        outbox?.yield(message.text)
    }

    /// Writes the state file if the pending edits or the numbering changed since the last write.
    /// A failed write is reported and retried at the next change; the session carries on.
    private func saveIfChanged() {
        guard let stateFile else { return }
        let key = SavedKey(document)
        if key == lastSaved { return }
        do {
            try stateFile.save(document.savedState(documentURL: configuration.url))
            lastSaved = key
        } catch {
            emit(.error(.savedState(error)))
        }
    }

    private func emit(_ event: CollabEvent) {
        eventContinuation.yield(event)
    }

    private func setState(_ newState: ConnectionState) {
        guard newState != state else { return }
        state = newState
        emit(.connectionState(newState))
    }

    private func finish(_ reason: SessionStopReason) {
        runTask = nil
        setState(.stopped(reason, hasPendingEdits: !document.pending.isEmpty))
        resumeSyncWaiters()
    }

    private func resumeSyncWaiters() {
        let waiters = syncWaiters
        syncWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// The URL the session connects to now (`url`, or after failures one of `alternateURLs`).
    public var currentURL: String {
        urlIndex == 0 ? configuration.url : configuration.alternateURLs[urlIndex - 1]
    }

    private func connectURL() -> String {
        let url = currentURL
        guard let token, configuration.tokenPlacement == .queryParameter else { return url }
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + "token=" + Self.percentEncoded(token)
    }

    private func webSocketConfiguration() -> WebSocketClientConfiguration {
        var webSocket = configuration.webSocket
        webSocket.subprotocols = ["collab.v1"]
        if let token, configuration.tokenPlacement == .authorizationHeader {
            webSocket.extraHeaders.add(name: "Authorization", value: "Bearer \(token)")
        }
        return webSocket
    }

    private static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return result
    }
}
