import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One connect in flight: registered for EPOLLOUT until the kernel reports the outcome.
final class ClientConnectorAttempt: EventLoopSelectable {
    private let eventLoop: EventLoop
    private let address: SocketAddress
    private var completion: ((Result<CInt, IOError>) -> Void)?
    private var socket: Socket?
    private var registration: UInt64?
    private var timer: TimerHandle?

    init(eventLoop: EventLoop, address: SocketAddress, completion: @escaping (Result<CInt, IOError>) -> Void) {
        self.eventLoop = eventLoop
        self.address = address
        self.completion = completion
    }

    func start(timeout: Duration) {
        let address = self.address
        let fd: CInt
        do throws(IOError) {
            fd = try Syscall.run("socket") {
                Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                             | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
        } catch {
            finish(.failure(error))
            return
        }
        let socket = Socket(adopting: fd)
        self.socket = socket
        let rc = (try? address.withSockAddr { (pointer, length) -> CInt in
            if Glibc.connect(fd, pointer, length) == 0 { return 0 }
            // EINTR on a non-blocking connect: it goes on in the background, like EINPROGRESS.
            return errno == EINTR ? EINPROGRESS : errno
        }) ?? EINVAL
        switch rc {
        case 0:
            finish(.success(socket.takeDescriptor()))
            return
        case EINPROGRESS:
            break
        default:
            finish(.failure(IOError(errnoCode: rc, reason: "connect to \(address)")))
            return
        }
        do throws(IOError) {
            registration = try eventLoop.register(self, descriptor: fd, interest: .writable)
        } catch {
            finish(.failure(error))
            return
        }
        timer = eventLoop.scheduleTimer(after: timeout) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.finish(.failure(IOError(errnoCode: ETIMEDOUT, reason: "connect to \(self.address)")))
        }
    }

    func handleEvents(_ events: UInt32) {
        guard let socket else { return }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(socket.descriptor, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
        if code == 0 && events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { code = ECONNREFUSED }
        if code != 0 {
            finish(.failure(IOError(errnoCode: code, reason: "connect to \(address)")))
        } else {
            deregister()
            finish(.success(socket.takeDescriptor()))
        }
    }

    func eventLoopClosing() {
        finish(.failure(IOError(errnoCode: ESHUTDOWN, reason: "connect to \(address)")))
    }

    private func deregister() {
        if let registration, let socket { eventLoop.deregister(registration, descriptor: socket.descriptor) }
        registration = nil
    }

    /// Reports once; on failure closes the socket.
    private func finish(_ result: Result<CInt, IOError>) {
        timer?.cancel()
        timer = nil
        deregister()
        socket?.close()
        socket = nil
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }
}

@available(*, unavailable)
extension ClientConnectorAttempt: Sendable {}
