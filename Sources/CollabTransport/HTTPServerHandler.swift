/// Serves HTTP/1.1 on one connection: parse → route → respond, one request at a time
/// (pipelined requests wait their turn in `pending`).
///
/// Request bodies: a `Content-Length` body of a method some route takes (POST, DELETE, …) is
/// read, up to `maxBodyLength` (413 beyond), before the route runs. Any other body is never
/// read, so the connection is closed after the answer (its bytes cannot be told apart from
/// the next request): a GET with a body is answered 400, a chunked body 411, other methods
/// get their 404/405.
final class HTTPServerHandler: ConnectionHandler {
    private let router: HTTPRouter
    private let configuration: HTTPServerConfiguration
    private var parser: HTTPRequestParser
    /// Input not parsed yet because a response is outstanding.
    private var pending: [UInt8] = []
    private var awaitingResponse = false
    private var requestTimer: TimerHandle?
    private weak var connection: Connection?
    /// Bumped per request, so a late deferred answer for a dead request is ignored.
    private var requestNumber = 0
    /// A request whose body is still arriving.
    private var bodyInProgress: (head: HTTPRequestHead, expected: Int, bytes: [UInt8])?

    init(router: HTTPRouter, configuration: HTTPServerConfiguration) {
        self.router = router
        self.configuration = configuration
        parser = HTTPRequestParser(limits: configuration.parserLimits)
    }

    func connectionAttached(_ connection: Connection) {
        self.connection = connection
        armTimer(connection)
    }

    func connectionReadable(_ connection: Connection, bytes: UnsafeRawBufferPointer) {
        if awaitingResponse || !pending.isEmpty {
            pending.append(contentsOf: bytes)
            // Bound what a pipelining client can make us hold.
            if pending.count > configuration.parserLimits.maxHeaderSectionLength * 2 { connection.pauseReading() }
            if !awaitingResponse { processPending(connection) }
            return
        }
        process(connection, bytes)
    }

    func connectionInputClosed(_ connection: Connection) {
        // A half-closed client still gets answers to what it sent; then we close.
        if !awaitingResponse { connection.close(afterFlush: true) }
    }

    func connectionClosed(_ connection: Connection, error: IOError?) {
        requestTimer?.cancel()
        requestTimer = nil
    }

    // MARK: - Requests

    private func processPending(_ connection: Connection) {
        let bytes = pending
        pending = []
        connection.resumeReading()
        bytes.withUnsafeBytes { process(connection, $0) }
    }

    private func process(_ connection: Connection, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while connection.isOpen {
            if var body = bodyInProgress {
                let take = min(body.expected - body.bytes.count, bytes.count - offset)
                body.bytes.append(contentsOf: bytes[offset..<(offset + take)])
                offset += take
                guard body.bytes.count == body.expected else {
                    bodyInProgress = body
                    return
                }
                bodyInProgress = nil
                requestTimer?.cancel()
                requestTimer = nil
                let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                if !handle(body.head, body: body.bytes, connection: connection, rest: rest) {
                    if awaitingResponse { pending.append(contentsOf: rest) }
                    return
                }
                if !connection.isOpen || offset == bytes.count { return }
                continue
            }
            let (consumed, outcome) = parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            offset += consumed
            switch outcome {
            case .needMoreData:
                return
            case .error(let error):
                requestTimer?.cancel()
                send(.error(error.status, code: HTTPResponse.errorCode(for: error.status), message: error.message),
                     keepAlive: false, on: connection)
                return
            case .head(let head):
                requestTimer?.cancel()
                requestTimer = nil
                if head.method != "GET", head.announcesBody, router.accepts(method: head.method, path: head.path) {
                    guard let length = head.contentLength else {
                        send(.error(.lengthRequired, code: "length_required",
                                    message: "a request body needs Content-Length (chunked bodies are not read)"),
                             keepAlive: false, on: connection)
                        return
                    }
                    guard length <= configuration.maxBodyLength else {
                        send(.error(.contentTooLarge, code: "content_too_large",
                                    message: "the request body is over \(configuration.maxBodyLength) bytes"),
                             keepAlive: false, on: connection)
                        return
                    }
                    // The body must arrive within the request timeout too.
                    bodyInProgress = (head, length, [])
                    armTimer(connection)
                    continue
                }
                let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                if !handle(head, connection: connection, rest: rest) {
                    // Waiting for a deferred answer or upgraded: keep the rest for later.
                    if awaitingResponse { pending.append(contentsOf: rest) }
                    return
                }
                if !connection.isOpen { return }
                if offset == bytes.count { return }
            }
        }
    }

    /// Routes one request. False when processing must stop (deferred, upgraded, closing).
    private func handle(_ head: HTTPRequestHead, body: [UInt8]? = nil, connection: Connection,
                        rest: UnsafeRawBufferPointer) -> Bool {
        requestNumber += 1
        let number = requestNumber
        let bound = LoopBound(self, eventLoop: connection.eventLoop)
        let responder = HTTPResponder(eventLoop: connection.eventLoop) { result in
            let handler = bound.value
            guard handler.awaitingResponse, handler.requestNumber == number, let connection = handler.connection else { return }
            handler.awaitingResponse = false
            handler.complete(result, head: head, bodyRead: body != nil, connection: connection, rest: [])
            if connection.isOpen && !handler.awaitingResponse {
                handler.processPending(connection)
            }
        }
        var request = HTTPRequest(head: head, remoteAddress: connection.remoteAddress,
                                  eventLoop: connection.eventLoop, responder: responder)
        request.body = body ?? []
        if head.announcesBody && head.method == "GET" {
            send(.error(.badRequest, code: "bad_request", message: "GET requests must not have a body"),
                 keepAlive: false, on: connection)
            return false
        }
        let result = router.handle(request)
        if case .deferred = result {
            awaitingResponse = true
            return false
        }
        return complete(result, head: head, bodyRead: body != nil, connection: connection, rest: Array(rest))
    }

    @discardableResult
    private func complete(_ result: HTTPRouteResult, head: HTTPRequestHead, bodyRead: Bool, connection: Connection,
                          rest: [UInt8]) -> Bool {
        switch result {
        case .respond(let response):
            // An unread body would be taken for the next request: close instead.
            let keepAlive = head.wantsKeepAlive && (bodyRead || !head.announcesBody) && !connection.isInputClosed
                && !response.asksToClose
            send(response, keepAlive: keepAlive, on: connection)
            return keepAlive
        case .upgrade(let upgrade):
            // Bytes after the head belong to the new protocol; so does anything pipelined.
            let leftover = rest + pending
            pending = []
            // A refused upgrade (non-101) says `Connection: close`, since we close right after.
            let switching = upgrade.response.status.code == 101
            connection.write(contentsOf: [SharedBytes(upgrade.response.serializedHead(keepAlive: switching)),
                                          upgrade.response.body])
            if !switching {
                connection.close(afterFlush: true)
                return false
            }
            connection.handOff(to: upgrade.targetLoop ?? connection.eventLoop, leftover: leftover,
                               makeHandler: upgrade.makeHandler)
            return false
        case .deferred:
            awaitingResponse = true
            return false
        }
    }

    private func send(_ response: HTTPResponse, keepAlive: Bool, on connection: Connection) {
        connection.enqueue(SharedBytes(response.serializedHead(keepAlive: keepAlive)))
        connection.enqueue(response.body)
        connection.flush()
        if keepAlive {
            armTimer(connection)
        } else {
            connection.close(afterFlush: true)
        }
    }

    private func armTimer(_ connection: Connection) {
        requestTimer?.cancel()
        requestTimer = connection.eventLoop.scheduleTimer(after: configuration.requestTimeout) { [weak self, weak connection] in
            self?.requestTimer = nil
            connection?.close()
        }
    }
}

@available(*, unavailable)
extension HTTPServerHandler: Sendable {}
