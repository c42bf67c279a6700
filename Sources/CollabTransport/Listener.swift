#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket. One loop accepts; each new connection goes to the group's next
/// loop (round robin) through `EventLoop.execute`.
///
/// Why one acceptor rather than SO_REUSEPORT per loop: the kernel would spread connections by
/// 4-tuple hash, not by load, and a port-0 listener would need every loop's socket bound to
/// the port the first one got. Accepting is cheap next to the life of a WebSocket, and the
/// server re-homes a connection to its document's loop after the handshake anyway.
public final class Listener: Sendable {
    /// The bound address (with the real port when bound to port 0).
    public let localAddress: SocketAddress
    /// The loop that accepts.
    public let eventLoop: EventLoop
    private let acceptor: LoopBound<ListenerAcceptor?>

    /// Binds and starts accepting; `makeHandler` builds each connection's handler on the
    /// connection's loop. Blocks until the accepting loop has registered the socket.
    public init(group: EventLoopGroup, address: SocketAddress,
                configuration: ListenerConfiguration = .init(),
                makeHandler: @escaping @Sendable (Connection) -> any ConnectionHandler) throws(IOError) {
        let socket = try Socket.makeListening(address: address, backlog: configuration.backlog)
        localAddress = try socket.localAddress()
        let loop = group.next()
        eventLoop = loop
        let descriptor = socket.takeDescriptor()
        let outcome = Locked<Result<LoopBound<ListenerAcceptor?>, IOError>?>(nil)
        var semaphore = sem_t()
        sem_init(&semaphore, 0, 0)
        defer { sem_destroy(&semaphore) }
        try withUnsafeMutablePointer(to: &semaphore) { (pointer) throws(IOError) in
            let signal = SemaphorePointer(pointer)
            loop.execute {
                let acceptor = ListenerAcceptor(socket: Socket(adopting: descriptor), group: group,
                                                eventLoop: loop, configuration: configuration,
                                                makeHandler: makeHandler)
                do throws(IOError) {
                    try acceptor.start()
                    outcome.withLock { $0 = .success(LoopBound(acceptor, eventLoop: loop)) }
                } catch {
                    outcome.withLock { $0 = .failure(error) }
                }
                sem_post(signal.pointer)
            }
            while sem_wait(pointer) != 0 {}
        }
        guard let result = outcome.withLock({ $0 }) else {
            throw IOError(errnoCode: ESHUTDOWN, reason: "start listener on \(loop)")
        }
        acceptor = try result.get()
    }

    /// Stops accepting and closes the listening socket (existing connections stay).
    public func close() {
        let acceptor = self.acceptor
        if eventLoop.inEventLoop {
            acceptor.value?.close()
        } else {
            eventLoop.execute { acceptor.value?.close() }
        }
    }
}

/// A pointer to a semaphore that outlives every use (the creator waits on it).
private struct SemaphorePointer: @unchecked Sendable {
    // @unchecked Sendable is sound: sem_post/sem_wait are thread-safe, and the creator
    // keeps the semaphore alive until it has been posted.
    let pointer: UnsafeMutablePointer<sem_t>
    init(_ pointer: UnsafeMutablePointer<sem_t>) { self.pointer = pointer }
}

/// The accepting side of a `Listener`, confined to its loop.
final class ListenerAcceptor: EventLoopSelectable {
    private let socket: Socket
    private let group: EventLoopGroup
    private let eventLoop: EventLoop
    private let configuration: ListenerConfiguration
    private let makeHandler: @Sendable (Connection) -> any ConnectionHandler
    private var registration: UInt64?
    private var backoff: Duration
    private var backoffTimer: TimerHandle?
    /// Number of accept attempts (for tests proving that a failing accept does not spin).
    private(set) var acceptAttempts = 0

    init(socket: Socket, group: EventLoopGroup, eventLoop: EventLoop, configuration: ListenerConfiguration,
         makeHandler: @escaping @Sendable (Connection) -> any ConnectionHandler) {
        self.socket = socket
        self.group = group
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.makeHandler = makeHandler
        backoff = configuration.initialBackoff
    }

    func start() throws(IOError) {
        registration = try eventLoop.register(self, descriptor: socket.descriptor, interest: .readable)
    }

    func close() {
        backoffTimer?.cancel()
        backoffTimer = nil
        if let registration { eventLoop.deregister(registration, descriptor: socket.descriptor) }
        registration = nil
        socket.close()
    }

    func handleEvents(_ events: UInt32) {
        // Bounded batch so a connection storm cannot starve the loop's connections.
        for _ in 0..<64 {
            guard registration != nil else { return }
            acceptAttempts += 1
            let accepted: CInt?
            do throws(IOError) {
                if let acceptOverride = configuration.acceptOverride {
                    accepted = try acceptOverride(socket.descriptor)
                } else {
                    switch try socket.accept() {
                    case .processed(let fd): accepted = fd
                    case .wouldBlock: accepted = nil
                    }
                }
            } catch {
                switch error.errnoCode {
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    pause(after: error)
                    return
                default:
                    // ECONNABORTED, EPROTO, ...: that one connection is gone; keep accepting.
                    continue
                }
            }
            guard let descriptor = accepted else { return }
            backoff = configuration.initialBackoff
            dispatch(descriptor)
        }
    }

    /// Out of descriptors: a level-triggered listener would report readable forever, so
    /// stop listening for a while instead of spinning; existing connections keep going.
    private func pause(after error: IOError) {
        guard let registration else { return }
        configuration.logger.log(.warning, "accept on \(eventLoop): \(error); pausing accepts for \(backoff)")
        do {
            try eventLoop.reregister(registration, descriptor: socket.descriptor, interest: [])
        } catch {
            configuration.logger.log(.error, "cannot pause listener: \(error)")
        }
        let delay = backoff
        backoff = min(backoff * 2, configuration.maximumBackoff)
        backoffTimer = eventLoop.scheduleTimer(after: delay) { [weak self] in
            guard let self, let registration = self.registration else { return }
            self.backoffTimer = nil
            try? self.eventLoop.reregister(registration, descriptor: self.socket.descriptor, interest: .readable)
        }
    }

    private func dispatch(_ descriptor: CInt) {
        let target = group.next()
        let configuration = self.configuration
        let makeHandler = self.makeHandler
        let transfer = ConnectionTransfer(
            descriptor: descriptor, remoteAddress: nil, configuration: configuration.connection, pending: [],
            ciphertext: [], transform: nil, leftover: [], inputClosed: false)
        let adopt: @Sendable () -> Void = {
            let transform = configuration.makeTransform?()
            let withTransform = ConnectionTransfer(
                descriptor: transfer.takeDescriptor(), remoteAddress: nil, configuration: configuration.connection,
                pending: [], ciphertext: [], transform: transform, leftover: [], inputClosed: false)
            _ = Connection.adopt(withTransform, on: target, makeHandler: makeHandler)
        }
        if target === eventLoop { adopt() } else { target.execute(adopt) }
    }

    func eventLoopClosing() {
        close()
    }
}

@available(*, unavailable)
extension ListenerAcceptor: Sendable {}
