import Testing
@testable import CollabTransport

@Test func serializesKeepAliveResponse() {
    let response = HTTPResponse.text(.ok, "ok")
    let head = String(decoding: response.serializedHead(keepAlive: true), as: UTF8.self)
    #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n")
    #expect(response.body.array == Array("ok".utf8))
}

@Test func switchingProtocolsHasNoLengthOrConnectionAdded() {
    let response = HTTPResponse(status: .switchingProtocols, headers: HTTPHeaders([("Upgrade", "websocket"), ("Connection", "Upgrade")]))
    let head = String(decoding: response.serializedHead(keepAlive: true), as: UTF8.self)
    #expect(head == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
}

@Test func errorBodyEscapesJSON() {
    let response = HTTPResponse.error(.badRequest, code: "bad_request", message: "a \"q\" \\ \n\u{01}é")
    #expect(String(decoding: response.body.array, as: UTF8.self)
            == #"{"error":"bad_request","message":"a \"q\" \\ \n\u0001é"}"#)
    #expect(response.headers.first("content-type") == "application/json")
}
