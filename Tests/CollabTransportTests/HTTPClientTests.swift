#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import CollabTransport

/// A one-connection TCP server on 127.0.0.1 that reads a request head and answers with
/// canned bytes (or nothing), for framings and failures `HTTPServer` never produces.
final class CannedHTTPServer: @unchecked Sendable {
    // @unchecked: `port` is set before the thread starts; `request` is written by that
    // thread and read only after `done` is signalled.
    let port: Int
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)
    private(set) var request = ""

    /// Serves one connection: `answer` is written in `pieces` with 10 ms between them, then,
    /// after `holdOpen`, the connection closes.
    init(answer: String, pieces: Int = 1, holdOpen: Duration = .zero) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let bytes = Array(answer.utf8)
        let done = self.done
        Thread.detachNewThread { [self] in
            defer { done.signal() }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.suffix(4).elementsEqual("\r\n\r\n".utf8) {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { break }
                received += buffer[..<count]
            }
            request = String(decoding: received, as: UTF8.self)
            let size = max(1, (bytes.count + pieces - 1) / pieces)
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + size)
                _ = bytes[offset..<end].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                offset = end
                if offset < bytes.count { usleep(10_000) }
            }
            Thread.sleep(forTimeInterval: Double(holdOpen.components.seconds) + Double(holdOpen.components.attoseconds) / 1e18)
        }
    }

    /// The request head received, once the connection is over.
    func receivedRequest() -> String {
        done.wait()
        return request
    }

    deinit {
        close(listener)
    }

    var url: HTTPClientURL { HTTPClientURL("http://127.0.0.1:\(port)/v1/docs?x=%20y")! }
}

@Suite struct HTTPClientTests {
    func client(timeout: Duration = .seconds(5), maxBody: Int = 1 << 20, tls: TLSContext? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = timeout
        configuration.maxBodySize = maxBody
        configuration.tlsContext = tls
        return HTTPClient(configuration: configuration)
    }

    @Test func contentLengthResponseAndTheRequestItSends() throws {
        let server = try CannedHTTPServer(answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello")
        let response = try client().get(server.url, headers: HTTPHeaders([("Authorization", "Bearer t")]))
        #expect(response.status == 200 && response.bodyText == "hello" && response.headers.first("x-a") == "b")
        let request = server.receivedRequest()
        #expect(request.hasPrefix("GET /v1/docs?x=%20y HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.contains("\r\nAuthorization: Bearer t\r\n") && request.contains("\r\nConnection: close\r\n"))
    }

    @Test func chunkedResponseArrivingInPieces() throws {
        let server = try CannedHTTPServer(
            answer: "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n",
            pieces: 7)
        let response = try client().get(server.url)
        #expect(response.status == 404 && response.bodyText == #"{"a":1}"#)
    }

    @Test func closeDelimitedBodyAndInterimResponse() throws {
        let server = try CannedHTTPServer(answer: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil the end")
        let response = try client().get(server.url)
        #expect(response.status == 200 && response.bodyText == "until the end")
    }

    @Test func failures() throws {
        let truncated = try CannedHTTPServer(answer: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
        #expect(throws: HTTPClientError.closedEarly) { try client().get(truncated.url) }
        let garbage = try CannedHTTPServer(answer: "SSH-2.0-OpenSSH\r\n\r\n")
        #expect(throws: HTTPClientError.malformedResponse("invalidStatusLine")) { try client().get(garbage.url) }
        let large = try CannedHTTPServer(answer: "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n")
        #expect(throws: HTTPClientError.bodyTooLarge(limit: 1_000)) { try client(maxBody: 1_000).get(large.url) }
        let silent = try CannedHTTPServer(answer: "", holdOpen: .seconds(1))
        let start = ContinuousClock.now
        #expect(throws: HTTPClientError.timedOut) { try client(timeout: .milliseconds(200)).get(silent.url) }
        #expect(ContinuousClock.now - start < .milliseconds(900))
    }

    @Test func connectionRefused() throws {
        // Nothing listens on port 1 (a privileged port these tests never bind).
        var error: HTTPClientError?
        do {
            _ = try client().get(HTTPClientURL("http://127.0.0.1:1/")!)
        } catch let caught {
            error = caught
        }
        guard case .connect(let io)? = error else {
            Issue.record("expected a connect error, got \(String(describing: error))")
            return
        }
        #expect(io.errnoCode == ECONNREFUSED)
    }

    @Test func httpsAgainstHTTPServer() throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let group = try EventLoopGroup(loopCount: 1, logger: .silent)
        defer { group.shutdown() }
        var router = HTTPRouter()
        router.get("/hello") { _ in .respond(.text(.ok, "secure hi")) }
        var configuration = HTTPServerConfiguration()
        configuration.listener.logger = .silent
        configuration.tls = try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                                   privateKeyFile: certificate.privateKeyPath))
        let server = try HTTPServer(group: group, address: SocketAddress(host: "127.0.0.1", port: 0), router: router,
                                    configuration: configuration)
        let url = try #require(HTTPClientURL("https://localhost:\(server.localAddress.port)/hello"))
        let trusting = try TLSContext(configuration: .client(verification: .certificateAuthorityFile(certificate.certificatePath)))
        let response = try client(tls: trusting).get(url)
        #expect(response.status == 200 && response.bodyText == "secure hi")
        // The system store does not know the self-signed certificate.
        var error: HTTPClientError?
        do {
            _ = try client().get(url)
        } catch let caught {
            error = caught
        }
        guard case .tls(let tls)? = error else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
        #expect(tls.kind == .peerVerification)
    }
}
