#if canImport(Glibc)
import Glibc
#endif
import CollabTransport

/// A blocking TCP socket with an optional TLS session between the caller's plaintext and the
/// wire. Confined to the thread that uses its `PostgresConnection`.
final class PostgresSocket {
    private var fd: Int32
    private var tls: TLSSession?
    /// Plaintext decrypted but not yet returned.
    private var pending: [UInt8] = []

    /// Resolves `host` and connects to the first address that accepts, within `timeout`.
    init(host: String, port: Int, timeout: Duration) throws(PostgresError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connectFailed("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address for \(host)"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let socket = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
                                      info.pointee.ai_protocol)
            guard socket >= 0 else { lastError = Self.errnoText("socket"); continue }
            Self.setTimeout(socket, timeout)
            if Glibc.connect(socket, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                var one: Int32 = 1
                setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                Self.enableKeepalive(socket)
                fd = socket
                return
            }
            lastError = Self.errnoText("connect to \(host):\(port)")
            Glibc.close(socket)
        }
        throw .connectFailed(lastError)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    private static func errnoText(_ what: String) -> String {
        "\(what): \(String(cString: strerror(errno)))"
    }

    /// TCP keepalive after 10 s idle, every 5 s, 3 probes: a peer that vanished without a FIN
    /// (host down, cable cut) fails a waiting read within about 25 s instead of never.
    private static func enableKeepalive(_ fd: Int32) {
        for (level, name, value) in [(SOL_SOCKET, SO_KEEPALIVE, Int32(1)), (Int32(IPPROTO_TCP), TCP_KEEPIDLE, 10),
                                     (Int32(IPPROTO_TCP), TCP_KEEPINTVL, 5), (Int32(IPPROTO_TCP), TCP_KEEPCNT, 3)] {
            var option = value
            setsockopt(fd, level, name, &option, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// SO_SNDTIMEO/SO_RCVTIMEO: connect and every read or write give up after `timeout`
    /// (zero = wait forever).
    private static func setTimeout(_ fd: Int32, _ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Changes the read/write timeout (zero = none).
    func setTimeout(_ timeout: Duration) {
        if fd >= 0 { Self.setTimeout(fd, timeout) }
    }

    /// Sends all of `bytes` (encrypted when TLS is on).
    func write(_ bytes: [UInt8]) throws(PostgresError) {
        if let tls {
            var ciphertext: [UInt8] = []
            do {
                try bytes.withUnsafeBytes { raw in try tls.send(plaintext: raw, ciphertext: &ciphertext) }
            } catch {
                throw .tls("\(error)")
            }
            try writeRaw(ciphertext)
        } else {
            try writeRaw(bytes)
        }
    }

    private func writeRaw(_ bytes: [UInt8]) throws(PostgresError) {
        guard fd >= 0 else { throw .connectionClosed }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .connectionLost(reason: Self.errnoText("send"), diagnostic: nil)
            }
            offset += written
        }
    }

    /// Reads whatever arrives next; an empty array means the peer closed the connection.
    func read() throws(PostgresError) -> [UInt8] {
        if !pending.isEmpty {
            defer { pending = [] }
            return pending
        }
        while true {
            let ciphertext = try readRaw(maximum: 64 * 1024)
            guard let tls else { return ciphertext }
            if ciphertext.isEmpty { return [] }
            var plaintext: [UInt8] = []
            do {
                try ciphertext.withUnsafeBytes { raw in try tls.receive(ciphertext: raw, plaintext: &plaintext) }
            } catch {
                throw .connectionLost(reason: "TLS: \(error)", diagnostic: nil)
            }
            var outgoing: [UInt8] = []
            tls.drainOutgoing(into: &outgoing)
            if !outgoing.isEmpty { try writeRaw(outgoing) }
            if !plaintext.isEmpty { return plaintext }
            if tls.peerClosed { return [] }
        }
    }

    /// Reads at most `maximum` bytes straight from the socket (used for SSLRequest's one-byte
    /// answer, where nothing beyond it may be consumed before the TLS handshake).
    func readRaw(maximum: Int) throws(PostgresError) -> [UInt8] {
        guard fd >= 0 else { throw .connectionClosed }
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, maximum, 0) }
            if count >= 0 { return Array(buffer[..<count]) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw .connectionLost(reason: "timed out waiting for the server", diagnostic: nil)
            }
            throw .connectionLost(reason: Self.errnoText("recv"), diagnostic: nil)
        }
    }

    /// Runs the TLS client handshake over the open socket.
    func startTLS(context: TLSContext, serverName: String) throws(PostgresError) {
        let session: TLSSession
        do {
            session = try TLSSession(context: context, serverName: serverName)
        } catch {
            throw .tls("\(error)")
        }
        // The session has the ClientHello ready as soon as it exists.
        var outgoing: [UInt8] = []
        session.drainOutgoing(into: &outgoing)
        try writeRaw(outgoing)
        while !session.isHandshakeComplete {
            let ciphertext = try readRaw(maximum: 64 * 1024)
            if ciphertext.isEmpty { throw .tls("the server closed the connection during the TLS handshake") }
            var plaintext: [UInt8] = []
            do {
                try ciphertext.withUnsafeBytes { raw in
                    try session.receive(ciphertext: raw, plaintext: &plaintext)
                }
            } catch {
                throw .tls("\(error)")
            }
            var reply: [UInt8] = []
            session.drainOutgoing(into: &reply)
            if !reply.isEmpty { try writeRaw(reply) }
            pending.append(contentsOf: plaintext)
        }
        tls = session
    }

    /// Closes the socket (after a TLS close_notify when TLS is on). Idempotent.
    func close() {
        guard fd >= 0 else { return }
        if let tls {
            var ciphertext: [UInt8] = []
            tls.shutdown(ciphertext: &ciphertext)
            if !ciphertext.isEmpty { try? writeRaw(ciphertext) }
        }
        Glibc.close(fd)
        fd = -1
    }
}
