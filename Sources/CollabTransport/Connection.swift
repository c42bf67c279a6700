import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection, owned by one event loop: reads into its loop's buffer and hands the
/// bytes to its `ConnectionHandler`; queues outbound `SharedBytes` and flushes them with
/// one gathering `sendmsg` (writev) per attempt, waiting for EPOLLOUT when the kernel is full.
///
/// Not `Sendable`: use it only on `eventLoop`. To move it to another loop, `handOff(to:...)`.
public final class Connection {
    private enum State {
        /// Reading and writing.
        case open
        /// `close(afterFlush: true)` was called: input is discarded, output drains.
        case closingAfterFlush
        /// Output is flushed and FIN sent; input is discarded until EOF or the linger timeout.
        case draining
        /// Moved to another loop; this object is an empty shell.
        case handedOff
        case closed
    }

    /// The loop this connection lives on.
    public let eventLoop: EventLoop
    /// The peer's address, if known.
    public let remoteAddress: SocketAddress?
    /// Buffer and watermark settings.
    public let configuration: ConnectionConfiguration

    private let socket: Socket
    private var registration: UInt64?
    private var registeredInterest: SelectorInterest = []
    private var handler: (any ConnectionHandler)?
    private var transform: (any ByteStreamTransform)?
    private var state = State.open
    private var readingPaused = false
    private var waitingForWritable = false
    private var lingerTimer: TimerHandle?

    private var plaintext: [UInt8] = []
    private var outbound: [(bytes: SharedBytes, offset: Int)] = []
    private var outboundHead = 0
    private var ciphertext: [UInt8] = []
    private var ciphertextSent = 0

    /// Bytes queued but not yet accepted by the kernel.
    public private(set) var queuedBytes = 0
    /// False while `queuedBytes` is above the high watermark, until it falls to the low one.
    public private(set) var isWritable = true
    /// True once the peer half-closed (no more input will arrive).
    public private(set) var isInputClosed = false

    /// `sendmsg` calls made so far (tests check that queued writes leave together).
    private(set) var sendCalls = 0

    /// Whether the connection still accepts writes.
    public var isOpen: Bool { state == .open }

    private init(socket: Socket, eventLoop: EventLoop, remoteAddress: SocketAddress?,
                 configuration: ConnectionConfiguration, transform: (any ByteStreamTransform)?) {
        self.socket = socket
        self.eventLoop = eventLoop
        self.remoteAddress = remoteAddress
        self.configuration = configuration
        self.transform = transform
    }

    // MARK: - Creation

    /// Takes over `descriptor` (a connected, non-blocking socket) on the current loop,
    /// registers it and installs the handler `makeHandler` returns. Must run on `eventLoop`.
    @discardableResult
    public static func adopt(
        descriptor: CInt, on eventLoop: EventLoop, configuration: ConnectionConfiguration = .init(),
        transform: (any ByteStreamTransform)? = nil,
        makeHandler: (Connection) -> any ConnectionHandler
    ) -> Connection? {
        let transfer = ConnectionTransfer(
            descriptor: descriptor, remoteAddress: nil, configuration: configuration, pending: [],
            ciphertext: [], transform: transform, leftover: [], inputClosed: false)
        return adopt(transfer, on: eventLoop, makeHandler: makeHandler)
    }

    static func adopt(_ transfer: ConnectionTransfer, on eventLoop: EventLoop,
                      makeHandler: (Connection) -> any ConnectionHandler) -> Connection? {
        eventLoop.preconditionInEventLoop()
        let socket = Socket(adopting: transfer.takeDescriptor())
        try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        if let size = transfer.configuration.socketSendBufferSize {
            try? socket.setOption(level: SOL_SOCKET, name: SO_SNDBUF, value: size)
        }
        let remote = transfer.remoteAddress ?? (try? socket.remoteAddress())
        let connection = Connection(socket: socket, eventLoop: eventLoop, remoteAddress: remote,
                                    configuration: transfer.configuration, transform: transfer.transform)
        connection.outbound = transfer.pending
        connection.ciphertext = transfer.ciphertext
        connection.isInputClosed = transfer.inputClosed
        connection.queuedBytes = transfer.pending.reduce(transfer.ciphertext.count) { $0 + $1.bytes.count - $1.offset }
        let interest = connection.desiredInterest()
        do {
            connection.registration = try eventLoop.register(connection, descriptor: socket.descriptor, interest: interest)
            connection.registeredInterest = interest
        } catch {
            eventLoop.logger.log(.warning, "\(eventLoop): cannot register connection: \(error)")
            socket.close()
            return nil
        }
        connection.install(makeHandler(connection), leftover: transfer.leftover)
        if connection.state == .open && connection.queuedBytes > 0 { connection.flush() }
        return connection
    }

    // MARK: - Handlers

    /// Replaces the handler (protocol upgrade); the new one receives `leftover`, the bytes
    /// already read past the old protocol's end, before anything else.
    public func replaceHandler(with newHandler: any ConnectionHandler, leftover: [UInt8] = []) {
        assert(eventLoop.inEventLoop)
        guard state == .open else { return }
        install(newHandler, leftover: leftover)
    }

    private func install(_ newHandler: any ConnectionHandler, leftover: [UInt8]) {
        handler = newHandler
        newHandler.connectionAttached(self)
        if !leftover.isEmpty && state == .open {
            leftover.withUnsafeBytes { newHandler.connectionReadable(self, bytes: $0) }
        }
        if isInputClosed && state == .open && handler === newHandler {
            newHandler.connectionInputClosed(self)
        }
    }

    /// Moves this connection to `target`: the socket, queued output, TLS stage and
    /// `leftover` input travel; `makeHandler` builds the new handler on `target`. The
    /// current handler hears nothing more. With `target == eventLoop` this is a handler swap.
    public func handOff(to target: EventLoop, leftover: [UInt8] = [],
                        makeHandler: @escaping @Sendable (Connection) -> any ConnectionHandler) {
        assert(eventLoop.inEventLoop)
        guard state == .open else { return }
        if target === eventLoop {
            install(makeHandler(self), leftover: leftover)
            return
        }
        if let registration { eventLoop.deregister(registration, descriptor: socket.descriptor) }
        registration = nil
        state = .handedOff
        let transfer = ConnectionTransfer(
            descriptor: socket.takeDescriptor(), remoteAddress: remoteAddress, configuration: configuration,
            pending: Array(outbound[outboundHead...]), ciphertext: Array(ciphertext[ciphertextSent...]),
            transform: transform, leftover: leftover, inputClosed: isInputClosed)
        outbound = []
        outboundHead = 0
        ciphertext = []
        ciphertextSent = 0
        queuedBytes = 0
        transform = nil
        handler = nil
        target.execute {
            _ = Connection.adopt(transfer, on: target, makeHandler: makeHandler)
        }
    }

    // MARK: - Inbound

    /// Stops reading from the socket (the kernel buffers, then TCP pushes back on the peer).
    public func pauseReading() {
        readingPaused = true
        updateInterest()
    }

    /// Resumes reading after `pauseReading()`.
    public func resumeReading() {
        readingPaused = false
        updateInterest()
    }

    private func readAvailable() {
        // The loop's buffer: an idle connection keeps no read buffer of its own.
        eventLoop.readBuffer.withBuffer(byteCount: max(configuration.readBufferSize, 512)) { readBuffer in
            readAvailable(into: readBuffer)
        }
    }

    private func readAvailable(into readBuffer: UnsafeMutableRawBufferPointer) {
        var reads = 0
        // Bounded so one busy peer cannot starve the loop's other connections.
        while reads < 16, state != .closed, state != .handedOff, !isInputClosed,
              !readingPaused || state == .draining {
            reads += 1
            let result: IOResult<Int>
            do {
                result = try socket.read(into: readBuffer)
            } catch {
                finishClose(error)
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .processed(0):
                isInputClosed = true
                updateInterest()
                switch state {
                case .open: handler?.connectionInputClosed(self)
                case .draining: finishClose(nil)
                case .closingAfterFlush, .handedOff, .closed: break
                }
                return
            case .processed(let count):
                guard state == .open else { continue }
                deliver(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                if count < readBuffer.count { return }
            }
        }
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) {
        guard let transform else {
            handler?.connectionReadable(self, bytes: bytes)
            return
        }
        plaintext.removeAll(keepingCapacity: true)
        do {
            try transform.receive(ciphertext: bytes, plaintext: &plaintext)
        } catch {
            finishClose(IOError(errnoCode: EPROTO, reason: "transform receive (\(error))"))
            return
        }
        let before = ciphertext.count
        transform.drainOutgoing(into: &ciphertext)
        queuedBytes += ciphertext.count - before
        if !plaintext.isEmpty {
            let chunk = plaintext
            chunk.withUnsafeBytes { handler?.connectionReadable(self, bytes: $0) }
        }
        if state == .open && ciphertext.count > ciphertextSent && !waitingForWritable { flush() }
    }

    // MARK: - Outbound

    /// Queues `bytes` without sending yet; pair with `flush()` to batch several writes.
    public func enqueue(_ bytes: SharedBytes) {
        assert(eventLoop.inEventLoop)
        guard state == .open, bytes.count > 0 else { return }
        outbound.append((bytes, 0))
        queuedBytes += bytes.count
        if isWritable && queuedBytes > configuration.highWatermark {
            isWritable = false
            handler?.connectionWritabilityChanged(self)
        }
    }

    /// Queues `bytes` and tries to send everything queued.
    public func write(_ bytes: SharedBytes) {
        enqueue(bytes)
        flush()
    }

    /// Queues each part in order (e.g. a head and a shared body) and sends.
    public func write(contentsOf parts: [SharedBytes]) {
        for part in parts { enqueue(part) }
        flush()
    }

    /// Copies `bytes` into a new `SharedBytes` and sends it.
    public func write(_ bytes: [UInt8]) {
        write(SharedBytes(bytes))
    }

    /// Sends as much of the queue as the kernel takes; the rest waits for EPOLLOUT.
    public func flush() {
        assert(eventLoop.inEventLoop)
        guard state == .open || state == .closingAfterFlush, !waitingForWritable else { return }
        if transform != nil && !encryptQueued() { return }
        while true {
            let result: IOResult<Int>
            do {
                guard let attempt = try sendSome() else { break }
                result = attempt
            } catch {
                finishClose(error)
                return
            }
            switch result {
            case .wouldBlock:
                waitingForWritable = true
                updateInterest()
                return
            case .processed(let count):
                consume(count)
            }
        }
        if waitingForWritable {
            waitingForWritable = false
            updateInterest()
        }
        if state == .closingAfterFlush { beginDraining() }
    }

    /// Runs queued plaintext through the transform into `ciphertext`. False if it failed.
    private func encryptQueued() -> Bool {
        guard let transform else { return true }
        let before = ciphertext.count
        while outboundHead < outbound.count {
            let (bytes, offset) = outbound[outboundHead]
            do {
                try bytes.withUnsafeBytes { raw in
                    try transform.send(plaintext: UnsafeRawBufferPointer(rebasing: raw[offset...]),
                                       ciphertext: &ciphertext)
                }
            } catch {
                finishClose(IOError(errnoCode: EPROTO, reason: "transform send (\(error))"))
                return false
            }
            queuedBytes -= bytes.count - offset
            outboundHead += 1
        }
        transform.drainOutgoing(into: &ciphertext)
        queuedBytes += ciphertext.count - before
        compactOutbound()
        return true
    }

    /// One `sendmsg` of queued bytes; nil when nothing is queued.
    private func sendSome() throws(IOError) -> IOResult<Int>? {
        if transform != nil {
            guard ciphertextSent < ciphertext.count else { return nil }
            sendCalls += 1
            let sent = ciphertextSent
            let result = ciphertext.withUnsafeBytes { raw -> Result<IOResult<Int>, IOError> in
                var vector = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + sent),
                                   iov_len: raw.count - sent)
                return withUnsafeMutablePointer(to: &vector) { pointer -> Result<IOResult<Int>, IOError> in
                    do throws(IOError) {
                        return .success(try socket.send(UnsafeMutableBufferPointer(start: pointer, count: 1)))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return try result.get()
        }
        let count = min(outbound.count - outboundHead, 64)
        guard count > 0 else { return nil }
        sendCalls += 1
        let result = withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors -> Result<IOResult<Int>, IOError> in
            for i in 0..<count {
                let (bytes, offset) = outbound[outboundHead + i]
                vectors[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress + offset),
                                   iov_len: bytes.count - offset)
            }
            // The SharedBytes stay alive in `outbound` for the duration of the call.
            do throws(IOError) { return .success(try socket.send(vectors)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func consume(_ sentCount: Int) {
        queuedBytes -= sentCount
        if transform != nil {
            ciphertextSent += sentCount
            if ciphertextSent == ciphertext.count {
                ciphertext.removeAll(keepingCapacity: ciphertext.capacity <= 256 * 1024)
                ciphertextSent = 0
            }
        } else {
            var remaining = sentCount
            while remaining > 0 && outboundHead < outbound.count {
                let left = outbound[outboundHead].bytes.count - outbound[outboundHead].offset
                if remaining >= left {
                    remaining -= left
                    outbound[outboundHead] = (emptyBytes, 0)
                    outboundHead += 1
                } else {
                    outbound[outboundHead].offset += remaining
                    remaining = 0
                }
            }
            compactOutbound()
        }
        if !isWritable && queuedBytes <= configuration.lowWatermark {
            isWritable = true
            handler?.connectionWritabilityChanged(self)
        }
    }

    private func compactOutbound() {
        if outboundHead == outbound.count {
            outbound.removeAll(keepingCapacity: true)
            outboundHead = 0
        } else if outboundHead > 64 && outboundHead * 2 > outbound.count {
            outbound.removeFirst(outboundHead)
            outboundHead = 0
        }
    }

    // MARK: - Closing

    /// Closes the connection. With `afterFlush`, queued output is sent first, then FIN,
    /// then input is drained until the peer closes or `lingerTimeout` passes.
    public func close(afterFlush: Bool = false) {
        assert(eventLoop.inEventLoop)
        switch state {
        case .open:
            if afterFlush {
                state = .closingAfterFlush
                readingPaused = false
                updateInterest()
                flush()
            } else {
                finishClose(nil)
            }
        case .closingAfterFlush, .draining:
            if !afterFlush { finishClose(nil) }
        case .handedOff, .closed:
            break
        }
    }

    private func beginDraining() {
        if let transform {
            transform.close(into: &ciphertext)
            if ciphertextSent < ciphertext.count { _ = try? sendSome() }
        }
        socket.shutdownWrite()
        state = .draining
        if isInputClosed {
            finishClose(nil)
            return
        }
        readingPaused = false
        updateInterest()
        lingerTimer = eventLoop.scheduleTimer(after: configuration.lingerTimeout) { [weak self] in
            self?.finishClose(nil)
        }
    }

    private func finishClose(_ error: IOError?) {
        switch state {
        case .closed, .handedOff: return
        case .open, .closingAfterFlush, .draining: break
        }
        state = .closed
        lingerTimer?.cancel()
        lingerTimer = nil
        if let registration { eventLoop.deregister(registration, descriptor: socket.descriptor) }
        registration = nil
        socket.close()
        outbound = []
        outboundHead = 0
        ciphertext = []
        queuedBytes = 0
        // Dropping the handler breaks the usual connection <-> handler reference cycle.
        let closedHandler = handler
        handler = nil
        closedHandler?.connectionClosed(self, error: error)
    }

    // MARK: - Interest

    private func desiredInterest() -> SelectorInterest {
        var interest: SelectorInterest = []
        switch state {
        case .open, .closingAfterFlush, .draining:
            if !isInputClosed && (!readingPaused || state != .open) { interest.insert(.readable) }
            if waitingForWritable { interest.insert(.writable) }
        case .handedOff, .closed:
            break
        }
        return interest
    }

    private func updateInterest() {
        guard let registration else { return }
        let interest = desiredInterest()
        guard interest != registeredInterest else { return }
        do {
            try eventLoop.reregister(registration, descriptor: socket.descriptor, interest: interest)
            registeredInterest = interest
        } catch {
            finishClose(error)
        }
    }
}

/// Placeholder that keeps queue slots cheap once their bytes are sent.
private let emptyBytes = SharedBytes([])

extension Connection: EventLoopSelectable {
    func handleEvents(_ events: UInt32) {
        if events & EPOLLERR.rawValue != 0 {
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(socket.descriptor, SOL_SOCKET, SO_ERROR, &code, &length)
            finishClose(IOError(errnoCode: code == 0 ? EIO : code, reason: "socket"))
            return
        }
        if events & EPOLLOUT.rawValue != 0 && waitingForWritable {
            waitingForWritable = false
            flush()
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 {
            readAvailable()
        }
        // Both directions gone and nothing left to read: nothing more can happen.
        if events & EPOLLHUP.rawValue != 0 && (readingPaused || isInputClosed) && state != .closed {
            finishClose(nil)
        }
    }

    func eventLoopClosing() {
        finishClose(nil)
    }
}

@available(*, unavailable)
extension Connection: Sendable {}
