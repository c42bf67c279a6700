import Foundation
import Testing
@testable import CollabTransport
#if canImport(Glibc)
import Glibc
#endif

/// One end of a non-blocking socket pair with its TLS session, driven the way an event loop
/// would: read whatever is there, feed it in, write whatever the session produced.
private final class SocketEndpoint {
    let fd: Int32
    let session: TLSSession
    var outbox: [UInt8] = []
    var outboxOffset = 0
    var received: [UInt8] = []
    var readBuffer = [UInt8](repeating: 0, count: 1_000) // smaller than a record: forces partial records
    var wouldBlockWrites = 0
    var shortWrites = 0
    var sawEOF = false

    init(fd: Int32, session: TLSSession) {
        self.fd = fd
        self.session = session
    }

    var wantsToWrite: Bool {
        session.hasOutgoing || outboxOffset < outbox.count
    }

    /// Reads until the socket would block, feeding every chunk to the session.
    func readAvailable() throws {
        while true {
            let count = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                try readBuffer.withUnsafeBytes {
                    try session.receive(ciphertext: UnsafeRawBufferPointer(rebasing: $0[..<count]),
                                        plaintext: &received)
                }
                session.drainOutgoing(into: &outbox)
                continue
            }
            if count == 0 {
                sawEOF = true
                return
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// Writes queued ciphertext until done or the socket would block.
    func writeAvailable() throws {
        session.drainOutgoing(into: &outbox)
        while outboxOffset < outbox.count {
            let wanted = outbox.count - outboxOffset
            let count = outbox.withUnsafeBytes { write(fd, $0.baseAddress! + outboxOffset, wanted) }
            if count >= 0 {
                if count < wanted { shortWrites += 1 }
                outboxOffset += count
                continue
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                wouldBlockWrites += 1
                return
            }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        outbox.removeAll(keepingCapacity: true)
        outboxOffset = 0
    }
}

@Suite struct TLSSocketPairTests {
    @Test func megabyteEachWayOverNonBlockingSocketPair() throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let serverContext = try TLSContext(configuration: .server(
            certificateChainFile: certificate.certificatePath, privateKeyFile: certificate.privateKeyPath))
        let clientContext = try TLSContext(configuration: .client(
            verification: .certificateAuthorityFile(certificate.certificatePath)))

        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        for fd in fds {
            #expect(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0)
            // Small kernel buffers so that writes come up short and would block often.
            var size: Int32 = 4_096
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let server = SocketEndpoint(fd: fds[0], session: try TLSSession(context: serverContext))
        let client = SocketEndpoint(fd: fds[1], session: try TLSSession(context: clientContext,
                                                                         serverName: "localhost"))

        // Both sides queue a megabyte before the handshake has even started.
        var up = [UInt8](repeating: 0, count: 1 << 20)
        var down = [UInt8](repeating: 0, count: 1 << 20)
        for index in up.indices {
            up[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7)
            down[index] = UInt8(truncatingIfNeeded: index &* 17 &+ 3)
        }
        try up.withUnsafeBytes { try client.session.send(plaintext: $0, ciphertext: &client.outbox) }
        try down.withUnsafeBytes { try server.session.send(plaintext: $0, ciphertext: &server.outbox) }

        let deadline = Date().addingTimeInterval(15)
        var iterations = 0
        var clientClosing = false
        var serverClosing = false
        while Date() < deadline && iterations < 100_000 {
            iterations += 1
            // The client hangs up once it has everything; the server answers the close_notify.
            if !clientClosing && client.received.count == down.count {
                client.session.shutdown(ciphertext: &client.outbox)
                clientClosing = true
            }
            if !serverClosing && server.session.peerClosed {
                server.session.shutdown(ciphertext: &server.outbox)
                serverClosing = true
            }
            if clientClosing && serverClosing && client.session.peerClosed
                && !client.wantsToWrite && !server.wantsToWrite {
                break
            }
            var polls = [server, client].map { endpoint in
                pollfd(fd: endpoint.fd,
                       events: Int16(POLLIN) | (endpoint.wantsToWrite ? Int16(POLLOUT) : 0),
                       revents: 0)
            }
            let ready = poll(&polls, nfds_t(polls.count), 1_000)
            #expect(ready > 0, "poll timed out or failed")
            if ready <= 0 { break }
            for (endpoint, polled) in zip([server, client], polls) {
                if polled.revents & Int16(POLLIN) != 0 { try endpoint.readAvailable() }
                if polled.revents & Int16(POLLOUT) != 0 || endpoint.wantsToWrite { try endpoint.writeAvailable() }
            }
        }

        #expect(server.session.isHandshakeComplete && client.session.isHandshakeComplete)
        #expect(server.received.count == up.count)
        #expect(server.received == up)
        #expect(client.received == down)
        #expect(server.session.peerClosed && client.session.peerClosed)
        #expect(!server.sawEOF && !client.sawEOF, "close_notify came before any EOF")
        // Proof that the non-blocking paths ran: the kernel refused or shortened writes.
        #expect(server.wouldBlockWrites + client.wouldBlockWrites > 0)
        #expect(server.shortWrites + client.shortWrites > 0)
    }
}
