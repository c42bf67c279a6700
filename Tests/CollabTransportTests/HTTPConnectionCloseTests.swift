#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CollabTransport

/// Responses that must end the connection: a refused upgrade and `Connection: close`.
@Suite struct HTTPConnectionCloseTests {
    private func serve(_ route: @escaping HTTPRouter.Route) throws -> (EventLoopGroup, HTTPServer) {
        let group = try EventLoopGroup(loopCount: 1, logger: .silent)
        var router = HTTPRouter()
        router.get("/x", route)
        var configuration = HTTPServerConfiguration()
        configuration.listener.logger = .silent
        do {
            return (group, try HTTPServer(group: group, address: SocketAddress(host: "127.0.0.1", port: 0),
                                          router: router, configuration: configuration))
        } catch {
            group.shutdown()
            throw error
        }
    }

    @Test func refusedUpgradeSaysCloseAndCloses() throws {
        let (group, server) = try serve { _ in
            .upgrade(HTTPUpgrade(response: .error(.forbidden, code: "forbidden", message: "no")) { _ in
                EchoHandler(loopIndex: Locked(nil))
            })
        }
        defer { group.shutdown() }
        let client = try RawClient(port: server.localAddress.port)
        client.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 403)
        #expect(response.head.contains("Connection: close"))
        #expect(!response.head.contains("keep-alive"))
        #expect(client.waitForClose())
    }

    @Test func connectionCloseInARouteResponseIsHonouredOnce() throws {
        let (group, server) = try serve { _ in
            var response = HTTPResponse.text(.ok, "bye")
            response.headers.add(name: "Connection", value: "close")
            return .respond(response)
        }
        defer { group.shutdown() }
        let client = try RawClient(port: server.localAddress.port)
        client.send("GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.body == "bye")
        #expect(response.head.components(separatedBy: "Connection:").count == 2)
        #expect(response.head.contains("Connection: close"))
        #expect(client.waitForClose())
    }

    @Test func serializedHeadWritesItsOwnConnectionField() {
        var response = HTTPResponse.text(.ok, "x")
        response.headers.add(name: "connection", value: "Keep-Alive, Close")
        #expect(response.asksToClose)
        let head = String(decoding: response.serializedHead(keepAlive: false), as: UTF8.self)
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\nConnection: close\r\n\r\n")
        #expect(!HTTPResponse.text(.ok, "x").asksToClose)
    }
}
