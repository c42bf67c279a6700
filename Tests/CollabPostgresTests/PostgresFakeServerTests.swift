import CollabPostgres
import CollabTestSupport
import Foundation
import Testing

/// A one-shot loopback "server" that reads the startup message and answers fixed bytes, for
/// the failures a real PostgreSQL will not produce on demand.
@Suite struct PostgresFakeServerTests {
    /// Listens on a free loopback port; the returned thread answers one connection with `reply`
    /// then closes it.
    static func serve(_ reply: [UInt8]) throws -> Int {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else { throw PostgresTestCluster.ClusterError(description: "cannot listen") }
        let port = Int(UInt16(bigEndian: address.sin_port))
        Thread {
            let client = accept(listener, nil, nil)
            close(listener)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = recv(client, &buffer, buffer.count, 0)
            _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(client)
        }.start()
        return port
    }

    static func configuration(_ port: Int) -> PostgresConfiguration {
        PostgresConfiguration(host: "127.0.0.1", port: port, user: "u", password: "p", database: "d",
                              connectTimeout: .seconds(5))
    }

    @Test func garbageFromTheServerIsAProtocolViolation() throws {
        let port = try Self.serve(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))
        do {
            _ = try PostgresConnection.connect(Self.configuration(port))
            Issue.record("connected to an HTTP server")
        } catch {
            guard case .protocolViolation = error else {
                Issue.record("not a protocol violation: \(error)")
                return
            }
        }
    }

    @Test func serverClosingDuringStartupIsConnectionLost() throws {
        // AuthenticationCleartextPassword, then the socket closes before AuthenticationOk.
        let port = try Self.serve([UInt8(ascii: "R"), 0, 0, 0, 8, 0, 0, 0, 3])
        do {
            _ = try PostgresConnection.connect(Self.configuration(port))
            Issue.record("connected without AuthenticationOk")
        } catch {
            guard case .connectionLost = error else {
                Issue.record("not connectionLost: \(error)")
                return
            }
        }
    }

    @Test func closedPortIsConnectFailed() throws {
        // The port of a listener that has gone: nothing listens there now.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        close(listener)
        let port = Int(UInt16(bigEndian: address.sin_port))
        do {
            _ = try PostgresConnection.connect(Self.configuration(port))
            Issue.record("connected to a closed port")
        } catch {
            guard case .connectFailed(let reason) = error else {
                Issue.record("not connectFailed: \(error)")
                return
            }
            #expect(reason.contains("refused"))
        }
    }
}
