#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CollabTransport

/// Echoes every byte back and records which loop it runs on.
final class EchoHandler: ConnectionHandler {
    let loopIndex: Locked<Int?>
    init(loopIndex: Locked<Int?>) { self.loopIndex = loopIndex }
    func connectionAttached(_ connection: Connection) { loopIndex.withLock { $0 = connection.eventLoop.index } }
    func connectionReadable(_ connection: Connection, bytes: UnsafeRawBufferPointer) { connection.write(Array(bytes)) }
    func connectionClosed(_ connection: Connection, error: IOError?) {}
}

private func makeServer(group: EventLoopGroup, timeout: Duration = .seconds(10),
                        configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
    var router = HTTPRouter()
    router.get("/hello") { _ in .respond(.text(.ok, "hi")) }
    router.get(prefix: "/v1/docs/") { request in .respond(.text(.ok, String(request.head.path.dropFirst(9)))) }
    router.get("/slow") { request in
        let responder = request.responder
        Thread_sleepThenRespond(responder)
        return .deferred
    }
    let echoLoop = Locked<Int?>(nil)
    router.get("/ws") { request in
        .upgrade(HTTPUpgrade(
            response: HTTPResponse(status: .switchingProtocols, headers: HTTPHeaders([("Upgrade", "echo"), ("Connection", "Upgrade")])),
            targetLoop: group.loops[1]) { _ in EchoHandler(loopIndex: echoLoop) })
    }
    // Echoes the body it was given, with its method.
    router.add("POST", prefix: "/v1/docs/") { request in
        .respond(.text(.ok, "POST " + String(decoding: request.body, as: UTF8.self)))
    }
    router.add("DELETE", prefix: "/v1/docs/") { request in .respond(.text(.ok, "deleted \(request.body.count)")) }
    var configuration = HTTPServerConfiguration()
    configuration.requestTimeout = timeout
    configuration.listener.logger = .silent
    configure(&configuration)
    return try HTTPServer(group: group, address: SocketAddress(host: "127.0.0.1", port: 0), router: router,
                          configuration: configuration)
}

/// Answers from another thread after 50 ms (a storage read, say).
private func Thread_sleepThenRespond(_ responder: HTTPResponder) {
    var thread = pthread_t()
    let box = Unmanaged.passRetained(ResponderBox(responder)).toOpaque()
    pthread_create(&thread, nil, { raw in
        let box = Unmanaged<ResponderBox>.fromOpaque(raw!).takeRetainedValue()
        usleep(50_000)
        box.responder.respond(.text(.ok, "late"))
        return nil
    }, box)
    pthread_detach(thread)
}

private final class ResponderBox {
    let responder: HTTPResponder
    init(_ responder: HTTPResponder) { self.responder = responder }
}

@Test func getRoutesAnd404And405() throws {
    let group = try EventLoopGroup(loopCount: 2, logger: .silent)
    defer { group.shutdown() }
    let server = try makeServer(group: group)
    #expect(server.localAddress.port > 0)
    let client = try RawClient(port: server.localAddress.port)
    client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    let ok = client.readResponse()
    #expect(ok?.status == 200)
    #expect(ok?.body == "hi")
    #expect(ok?.head.contains("Connection: keep-alive") == true)
    client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
    let missing = client.readResponse()
    #expect(missing?.status == 404)
    #expect(missing?.body == #"{"error":"not_found","message":"no such resource"}"#)
    client.send("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    let notAllowed = client.readResponse()
    #expect(notAllowed?.status == 405)
    #expect(notAllowed?.head.contains("Allow: GET") == true)
    // Still the same connection after three requests (keep-alive).
    client.send("GET /v1/docs/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    let prefixed = client.readResponse()
    #expect(prefixed?.body == "abc")
    #expect(prefixed?.head.contains("Connection: close") == true)
    #expect(client.waitForClose())
}

@Test func pipelinedRequestsIncludingDeferredAnswerInOrder() throws {
    let group = try EventLoopGroup(loopCount: 2, logger: .silent)
    defer { group.shutdown() }
    let server = try makeServer(group: group)
    let client = try RawClient(port: server.localAddress.port)
    client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/docs/z HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(client.readResponse()?.body == "hi")
    #expect(client.readResponse()?.body == "late")
    #expect(client.readResponse()?.body == "z")
}

@Test func malformedAndOversizedRequestsGetErrorsAndClose() throws {
    let group = try EventLoopGroup(loopCount: 1, logger: .silent)
    defer { group.shutdown() }
    let server = try makeServer(group: group)
    let cases: [(String, Int)] = [
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 17000) + "\r\n", 431),
        ("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 400),
    ]
    for (request, status) in cases {
        let client = try RawClient(port: server.localAddress.port)
        client.send(request)
        let response = client.readResponse()
        #expect(response?.status == status, "for \(request.prefix(40))")
        #expect(response?.head.contains("Connection: close") == true)
        #expect(client.waitForClose())
    }
}

@Test func slowlorisIsClosedAfterTheRequestTimeout() throws {
    let group = try EventLoopGroup(loopCount: 1, logger: .silent)
    defer { group.shutdown() }
    let server = try makeServer(group: group, timeout: .milliseconds(300))
    let client = try RawClient(port: server.localAddress.port)
    let start = ContinuousClock.now
    client.send("GET /hello HTTP/1.1\r\n")
    usleep(100_000)
    client.send("Host: x\r\n") // trickling does not extend the deadline
    #expect(client.waitForClose())
    let elapsed = ContinuousClock.now - start
    #expect(elapsed >= .milliseconds(280))
    #expect(elapsed < .seconds(2))

    // Idle keep-alive connections get the same timeout after their last response.
    let idle = try RawClient(port: server.localAddress.port)
    idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(idle.readResponse()?.status == 200)
    #expect(idle.waitForClose())
}

@Test func upgradeHandsConnectionToAnotherLoopWithLeftoverBytes() throws {
    let group = try EventLoopGroup(loopCount: 2, logger: .silent)
    defer { group.shutdown() }
    let server = try makeServer(group: group)
    // Accepts go round robin; try two connections so one starts on loop 0.
    for _ in 0..<2 {
        let client = try RawClient(port: server.localAddress.port)
        client.send("GET /ws HTTP/1.1\r\nHost: x\r\n\r\nEARLY")
        let response = client.readResponse()
        #expect(response?.status == 101)
        #expect(response?.head.contains("Content-Length") == false)
        #expect(client.receive(exactly: 5) == Array("EARLY".utf8))
        client.send("later")
        #expect(client.receive(exactly: 5) == Array("later".utf8))
    }
}

@Test func bodiesAreReadForRoutedMethodsWholeOrInPieces() throws {
    let group = try EventLoopGroup(loopCount: 2, logger: .silent)
    defer { group.shutdown() }
    let server = try makeServer(group: group) { $0.maxBodyLength = 100 }
    let body = #"{"version": 3, "name": "ünïcode"}"#
    let request = "POST /v1/docs/a/restore HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    // Whole, then byte by byte, then pipelined with a GET: the connection stays usable.
    let client = try RawClient(port: server.localAddress.port)
    client.send(request)
    #expect(client.readResponse()?.body == "POST " + body)
    for byte in Array(request.utf8) {
        client.send([byte])
    }
    #expect(client.readResponse()?.body == "POST " + body)
    client.send(request + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    let first = client.readResponse()
    #expect(first?.body == "POST " + body && first?.head.contains("keep-alive") == true)
    #expect(client.readResponse()?.body == "hi")
    // A body-less POST routes with an empty body; a DELETE with one.
    client.send("POST /v1/docs/b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    #expect(client.readResponse()?.body == "POST ")
    client.send("DELETE /v1/docs/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab")
    #expect(client.readResponse()?.body == "deleted 2")
    // 405 names every method the path takes.
    client.send("PUT /v1/docs/x HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(client.readResponse()?.head.contains("Allow: DELETE, GET, POST") == true)
}

@Test func oversizedChunkedAndSlowBodiesAreRefused() throws {
    let group = try EventLoopGroup(loopCount: 1, logger: .silent)
    defer { group.shutdown() }
    let server = try makeServer(group: group, timeout: .milliseconds(300)) { $0.maxBodyLength = 100 }
    let tooLarge = try RawClient(port: server.localAddress.port)
    tooLarge.send("POST /v1/docs/a HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n")
    let refused = tooLarge.readResponse()
    #expect(refused?.status == 413 && refused?.body.contains("content_too_large") == true)
    #expect(tooLarge.waitForClose())
    let chunked = try RawClient(port: server.localAddress.port)
    chunked.send("POST /v1/docs/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    #expect(chunked.readResponse()?.status == 411)
    #expect(chunked.waitForClose())
    // A body that stops arriving is cut at the request timeout, with no answer.
    let slow = try RawClient(port: server.localAddress.port)
    slow.send("POST /v1/docs/a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    #expect(slow.waitForClose())
    // The server goes on serving.
    let next = try RawClient(port: server.localAddress.port)
    next.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(next.readResponse()?.body == "hi")
}
