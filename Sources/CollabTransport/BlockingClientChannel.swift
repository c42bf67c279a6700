#if canImport(Glibc)
import Glibc
#endif

/// One blocking client connection for `HTTPClient`: a non-blocking socket driven with `poll`
/// so every step honours one deadline, with an optional `TLSSession` between the caller's
/// plaintext and the socket. Confined to the calling thread.
final class BlockingClientChannel {
    private let socket: Socket
    private let tls: TLSSession?
    private let deadline: ContinuousClock.Instant
    /// Plaintext decrypted but not yet returned by `read`.
    private var pending: [UInt8] = []

    /// Connects to the first of `addresses` that accepts, then runs the TLS handshake when
    /// `tlsContext` is given (verifying `serverName`).
    init(addresses: [SocketAddress], tlsContext: TLSContext?, serverName: String,
         deadline: ContinuousClock.Instant) throws(HTTPClientError) {
        self.deadline = deadline
        var lastError = IOError(errnoCode: EHOSTUNREACH, reason: "connect")
        var connected: Socket?
        for address in addresses {
            do throws(IOError) {
                connected = try Self.connect(to: address, deadline: deadline)
                break
            } catch {
                lastError = error
                if error.errnoCode == ETIMEDOUT { break }
            }
        }
        guard let connected else { throw .connect(lastError) }
        socket = connected
        guard let tlsContext else {
            tls = nil
            return
        }
        do throws(TLSError) {
            tls = try TLSSession(context: tlsContext, serverName: serverName)
        } catch {
            throw .tls(error)
        }
        try handshake()
    }

    private static func connect(to address: SocketAddress, deadline: ContinuousClock.Instant) throws(IOError) -> Socket {
        let fd = try Syscall.run("socket") {
            Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                         | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        let socket = Socket(adopting: fd)
        let code = try address.withSockAddr { (pointer, length) throws(IOError) -> Int32 in
            Glibc.connect(fd, pointer, length) == 0 ? 0 : errno
        }
        switch code {
        case 0:
            break
        case EINPROGRESS, EINTR:
            guard try wait(fd, for: Int16(POLLOUT), deadline: deadline) else {
                throw IOError(errnoCode: ETIMEDOUT, reason: "connect to \(address)")
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { error = errno }
            if error != 0 { throw IOError(errnoCode: error, reason: "connect to \(address)") }
        default:
            throw IOError(errnoCode: code, reason: "connect to \(address)")
        }
        try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        return socket
    }

    /// Waits until `fd` is ready for `events`; false when the deadline passed first.
    private static func wait(_ fd: Int32, for events: Int16, deadline: ContinuousClock.Instant) throws(IOError) -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let milliseconds = Int32(clamping: max(1, left.clampedNanoseconds / 1_000_000))
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { throw IOError(errnoCode: errno, reason: "poll") }
        }
    }

    // MARK: - Outbound

    /// Sends all of `plaintext` (encrypted first under TLS).
    func write(_ plaintext: [UInt8]) throws(HTTPClientError) {
        guard let tls else {
            try writeRaw(plaintext)
            return
        }
        var ciphertext: [UInt8] = []
        // withUnsafeBytes only rethrows `any Error`, so carry the typed error out in a Result.
        let outcome = plaintext.withUnsafeBytes { bytes in
            Result { () throws(TLSError) in try tls.send(plaintext: bytes, ciphertext: &ciphertext) }
        }
        if case .failure(let error) = outcome { throw .tls(error) }
        try writeRaw(ciphertext)
    }

    private func writeRaw(_ bytes: [UInt8]) throws(HTTPClientError) {
        var offset = 0
        let fd = socket.descriptor
        while offset < bytes.count {
            let result: IOResult<Int>
            do throws(IOError) {
                result = try Syscall.nonBlocking("send") {
                    bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                }
            } catch {
                throw .io(error)
            }
            switch result {
            case .processed(let count): offset += count
            case .wouldBlock: try waitReady(Int16(POLLOUT))
            }
        }
    }

    // MARK: - Inbound

    /// The next plaintext bytes; empty at the end of the stream.
    func read() throws(HTTPClientError) -> [UInt8] {
        if !pending.isEmpty {
            defer { pending = [] }
            return pending
        }
        while true {
            let ciphertext = try readRaw()
            guard let tls else { return ciphertext }
            if ciphertext.isEmpty { return [] }
            var plaintext: [UInt8] = []
            try receive(ciphertext, into: &plaintext, session: tls)
            if !plaintext.isEmpty { return plaintext }
            if tls.peerClosed { return [] }
        }
    }

    private func readRaw() throws(HTTPClientError) -> [UInt8] {
        let fd = socket.descriptor
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let result: IOResult<Int>
            do throws(IOError) {
                result = try Syscall.nonBlocking("read") {
                    buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                }
            } catch {
                // A reset after the response is a close to the reader.
                if error.errnoCode == ECONNRESET { return [] }
                throw .io(error)
            }
            switch result {
            case .processed(let count): return Array(buffer[..<count])
            case .wouldBlock: try waitReady(Int16(POLLIN))
            }
        }
    }

    private func waitReady(_ events: Int16) throws(HTTPClientError) {
        let ready: Bool
        do throws(IOError) {
            ready = try Self.wait(socket.descriptor, for: events, deadline: deadline)
        } catch {
            throw .io(error)
        }
        guard ready else { throw .timedOut }
    }

    // MARK: - TLS

    private func handshake() throws(HTTPClientError) {
        guard let tls else { return }
        var outgoing: [UInt8] = []
        tls.drainOutgoing(into: &outgoing)
        try writeRaw(outgoing)
        while !tls.isHandshakeComplete {
            let ciphertext = try readRaw()
            guard !ciphertext.isEmpty else {
                throw .tls(TLSError(kind: .handshake, message: "TLS handshake failed: the server closed the connection"))
            }
            try receive(ciphertext, into: &pending, session: tls)
        }
    }

    /// Feeds ciphertext to the session and writes whatever it answers (handshake, alerts).
    private func receive(_ ciphertext: [UInt8], into plaintext: inout [UInt8], session: TLSSession) throws(HTTPClientError) {
        var decrypted: [UInt8] = []
        let outcome = ciphertext.withUnsafeBytes { bytes in
            Result { () throws(TLSError) in try session.receive(ciphertext: bytes, plaintext: &decrypted) }
        }
        plaintext.append(contentsOf: decrypted)
        var outgoing: [UInt8] = []
        session.drainOutgoing(into: &outgoing)
        if !outgoing.isEmpty { try? writeRaw(outgoing) }
        if case .failure(let error) = outcome { throw .tls(error) }
    }

    /// Closes the socket (after a TLS close_notify, best effort).
    func close() {
        if let tls {
            var goodbye: [UInt8] = []
            tls.shutdown(ciphertext: &goodbye)
            if !goodbye.isEmpty { _ = goodbye.withUnsafeBytes { send(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        }
        socket.close()
    }
}

@available(*, unavailable)
extension BlockingClientChannel: Sendable {}
