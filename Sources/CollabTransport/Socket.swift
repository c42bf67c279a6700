import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Owns one non-blocking, close-on-exec socket descriptor; closes it on `close()` or deinit.
public final class Socket {
    /// The descriptor, or -1 once closed or taken.
    public private(set) var descriptor: CInt

    /// Adopts an already-open descriptor (made non-blocking and CLOEXEC by its creator).
    init(adopting descriptor: CInt) {
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { Syscall.close(descriptor) }
    }

    /// Creates a listening TCP socket bound to `address` (SO_REUSEADDR on; port 0 = any).
    public static func makeListening(address: SocketAddress, backlog: Int32 = 1024) throws(IOError) -> Socket {
        let fd = try Syscall.run("socket") {
            Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        let socket = Socket(adopting: fd)
        try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        try address.withSockAddr { (ptr, len) throws(IOError) in
            _ = try Syscall.run("bind to \(address)") { Glibc.bind(fd, ptr, len) }
        }
        _ = try Syscall.run("listen") { Glibc.listen(fd, backlog) }
        return socket
    }

    /// Opens a blocking TCP connection to `address` (for clients and tests), then makes it
    /// non-blocking so a `Connection` can adopt it.
    public static func makeConnected(to address: SocketAddress) throws(IOError) -> Socket {
        let fd = try Syscall.run("socket") {
            Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        let socket = Socket(adopting: fd)
        try address.withSockAddr { (ptr, len) throws(IOError) in
            _ = try Syscall.run("connect to \(address)") { Glibc.connect(fd, ptr, len) }
        }
        let flags = try Syscall.run("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
        _ = try Syscall.run("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        try socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        return socket
    }

    /// Sets an integer socket option.
    public func setOption(level: Int32, name: Int32, value: Int32) throws(IOError) {
        var v = value
        let fd = descriptor
        _ = try Syscall.run("setsockopt(\(level), \(name))") {
            setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Accepts one pending connection as a non-blocking, CLOEXEC descriptor.
    func accept() throws(IOError) -> IOResult<CInt> {
        let fd = descriptor
        return try Syscall.nonBlocking("accept4") {
            accept4(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        }
    }

    /// The address this socket is bound to.
    public func localAddress() throws(IOError) -> SocketAddress {
        try address(reason: "getsockname") { getsockname($0, $1, $2) }
    }

    /// The address of the peer.
    public func remoteAddress() throws(IOError) -> SocketAddress {
        try address(reason: "getpeername") { getpeername($0, $1, $2) }
    }

    private func address(
        reason: String,
        _ call: (CInt, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> CInt
    ) throws(IOError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = descriptor
        _ = try withUnsafeMutableBytes(of: &storage) { (raw) throws(IOError) -> CInt in
            try Syscall.run(reason) {
                call(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
        guard let address = SocketAddress(storage: storage) else {
            throw IOError(errnoCode: EAFNOSUPPORT, reason: reason)
        }
        return address
    }

    /// Reads into `buffer`; `.processed(0)` means end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        let fd = descriptor
        return try Syscall.nonBlocking("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Gathers `iovecs` into one `sendmsg` with MSG_NOSIGNAL (a `writev` that cannot raise SIGPIPE).
    func send(_ iovecs: UnsafeMutableBufferPointer<iovec>) throws(IOError) -> IOResult<Int> {
        var message = msghdr()
        message.msg_iov = iovecs.baseAddress
        message.msg_iovlen = iovecs.count
        let fd = descriptor
        return try Syscall.nonBlocking("sendmsg") { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
    }

    /// Shuts down the sending direction (sends FIN after queued data).
    func shutdownWrite() {
        if descriptor >= 0 { _ = Glibc.shutdown(descriptor, Int32(SHUT_WR)) }
    }

    /// Closes the descriptor now (idempotent).
    public func close() {
        if descriptor >= 0 { Syscall.close(descriptor) }
        descriptor = -1
    }

    /// Gives up ownership of the descriptor without closing it (for a hand-off to another loop).
    func takeDescriptor() -> CInt {
        let fd = descriptor
        descriptor = -1
        return fd
    }
}

@available(*, unavailable)
extension Socket: Sendable {}
