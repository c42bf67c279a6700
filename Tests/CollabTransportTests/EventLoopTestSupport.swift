#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CollabTransport
import CollabTestSupport

/// Polls `condition` every millisecond until it holds or `timeout` passes.
func waitUntil(timeout: Duration = .seconds(3), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}

/// Runs `body` on `loop` and waits for its result.
func onLoop<T: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> T) -> T? {
    let result = Locked<T?>(nil)
    loop.execute { let value = body(); result.withLock { $0 = value } }
    _ = waitUntil { result.withLock { $0 != nil } }
    return result.withLock { $0 }
}

/// A blocking POSIX client socket for integration tests.
final class RawClient {
    let fd: CInt

    init(port: Int, receiveTimeout: Duration = .seconds(3), receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let receiveBuffer { setReceiveBuffer(receiveBuffer) } // before connect: sets the window scale
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { throw IOError(errnoCode: errno, reason: "test connect") }
        setReceiveTimeout(receiveTimeout)
    }

    deinit { close(fd) }

    func setReceiveTimeout(_ timeout: Duration) {
        let ms = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var tv = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func setReceiveBuffer(_ size: Int32) {
        var v = size
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads up to `max` bytes; empty on EOF, nil on timeout or error.
    func receive(max: Int = 65536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
        if n < 0 { return nil }
        return Array(buffer[0..<n])
    }

    private var buffered: [UInt8] = []

    /// Reads exactly `count` bytes (nil on EOF/timeout first).
    func receive(exactly count: Int) -> [UInt8]? {
        while buffered.count < count {
            guard let chunk = receive(), !chunk.isEmpty else { return nil }
            buffered += chunk
        }
        let result = Array(buffered[0..<count])
        buffered.removeFirst(count)
        return result
    }

    /// Reads one HTTP response: status code, head text and body (by Content-Length).
    func readResponse() -> (status: Int, head: String, body: String)? {
        while true {
            if let end = findHeadEnd() {
                let head = String(decoding: buffered[0..<end], as: UTF8.self)
                buffered.removeFirst(end + 4)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? -1
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.split(separator: ":")[1].trimmingCharacters()) ?? 0
                }
                guard let body = receive(exactly: length) else { return nil }
                return (status, head, String(decoding: body, as: UTF8.self))
            }
            guard let chunk = receive(), !chunk.isEmpty else { return nil }
            buffered += chunk
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffered.count >= 4 else { return nil }
        for i in 0...(buffered.count - 4) where buffered[i] == 13 && buffered[i + 1] == 10 && buffered[i + 2] == 13 && buffered[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// True if the peer closes (EOF or reset) before the receive timeout, discarding data.
    func waitForClose() -> Bool {
        buffered = []
        while true {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
