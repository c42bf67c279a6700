#if canImport(Glibc)
import Glibc
#endif
import CollabTransport

/// A blocking TCP socket with timeouts, for a Redis connection used from one thread at a time
/// (a publisher's or a subscriber's own thread — never an event loop).
final class RedisSocket {
    private var descriptor: Int32

    /// Connects to `host:port` (numeric or `localhost`) within `timeout`.
    init(host: String, port: Int, timeout: Duration) throws(RedisError) {
        let addresses: [SocketAddress]
        do {
            addresses = try ClientConnector.resolve(host: host, port: port)
        } catch {
            throw .connection(error)
        }
        var lastError = IOError(errnoCode: EHOSTUNREACH, reason: "connect")
        for address in addresses {
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw .connection(IOError(errnoCode: errno, reason: "socket")) }
            do throws(IOError) {
                let result = try address.withSockAddr { (pointer, length) throws(IOError) in connect(fd, pointer, length) }
                if result != 0 && errno != EINPROGRESS { throw IOError(errnoCode: errno, reason: "connect \(address)") }
                guard try Self.wait(fd, for: Int16(POLLOUT), timeout: timeout) else {
                    throw IOError(errnoCode: ETIMEDOUT, reason: "connect \(address)")
                }
                var failure: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
                if failure != 0 { throw IOError(errnoCode: failure, reason: "connect \(address)") }
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                descriptor = fd
                return
            } catch {
                close(fd)
                lastError = error
            }
        }
        throw .connection(lastError)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Closes the socket; later calls fail with `.closed`.
    func shutdown() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    /// Writes all of `bytes` within `timeout`.
    func write(_ bytes: [UInt8], timeout: Duration) throws(RedisError) {
        guard descriptor >= 0 else { throw .closed }
        let deadline = ContinuousClock.now + timeout
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + written, bytes.count - written, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                written += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK else {
                throw .connection(IOError(errnoCode: errno, reason: "send"))
            }
            try waitReady(Int16(POLLOUT), until: deadline)
        }
    }

    /// Reads what is available, waiting up to `timeout` for something; empty at end of stream.
    func read(timeout: Duration) throws(RedisError) -> [UInt8] {
        guard descriptor >= 0 else { throw .closed }
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return Array(buffer[0..<count]) }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else {
                throw .connection(IOError(errnoCode: errno, reason: "recv"))
            }
            try waitReady(Int16(POLLIN), until: deadline)
        }
    }

    private func waitReady(_ events: Int16, until deadline: ContinuousClock.Instant) throws(RedisError) {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { throw .timedOut }
        let ready: Bool
        do {
            ready = try Self.wait(descriptor, for: events, timeout: left)
        } catch {
            throw .connection(error)
        }
        guard ready else { throw .timedOut }
    }

    /// Waits until `fd` is ready for `events`; false when `timeout` passed first.
    private static func wait(_ fd: Int32, for events: Int16, timeout: Duration) throws(IOError) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            let milliseconds = max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&poller, 1, milliseconds)
            if result > 0 { return true }
            if result == 0 { return false }
            if errno != EINTR { throw IOError(errnoCode: errno, reason: "poll") }
        }
    }
}

@available(*, unavailable)
extension RedisSocket: Sendable {}
