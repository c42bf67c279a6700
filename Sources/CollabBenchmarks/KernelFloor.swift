#if canImport(Glibc)
import Glibc
#endif
import CLinux
import CollabCLI
import Dispatch
import Foundation
import Synchronization

/// Measures what the kernel of this machine charges, in CPU time of the calling thread, for
/// the I/O a committed op needs: wake-ups, loopback TCP sends and reads, a WAL append and its
/// `fdatasync`. No server code runs: the sum is a floor under the server's CPU per op.
public struct KernelFloor {
    /// CPU microseconds of each primitive (medians of `runs`).
    struct Figures {
        /// A thread sleeping in a timed wait and woken: one loop wake-up.
        var wake: Double
        /// One 130-byte `send` to a loopback TCP socket whose reader sleeps in `epoll_wait`.
        var send: Double
        /// A reader woken from `epoll_wait` for one 50-byte message, reading it.
        var wakeAndRead: Double
        /// Appending three WAL frames (3 × 4,120 bytes) with `pwrite` and `fdatasync`ing them.
        var commit: Double
    }

    /// Why the measurement could not run.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let directory: String
    let rounds: Int
    let recipients: Int
    /// Pause between rounds, long enough for every peer to go back to sleep.
    let pause = Duration.milliseconds(2)

    /// A floor measurement of `rounds` rounds per primitive, the commit file in `directory`.
    public init(directory: String, rounds: Int, recipients: Int) {
        self.directory = directory
        self.rounds = rounds
        self.recipients = recipients
    }

    /// Measures `runs` times, prints each run's figures to standard error and the medians, the
    /// floors and their `result` lines to standard output; returns the exit status.
    public func report(runs: Int, opsPerCommit: Int, output: CommandOutput) -> Int32 {
        let opsPerCommit = Double(opsPerCommit)
        var measured: [KernelFloor.Figures] = []
        for run in 1...runs {
            do throws(KernelFloor.Failure) {
                let figures = try measure()
                output.printDiagnostic(String(format: "run %d: wake %.1f µs, send %.1f µs, wake+read %.1f µs, commit %.1f µs",
                                              run, figures.wake, figures.send, figures.wakeAndRead, figures.commit))
                measured.append(figures)
            } catch {
                output.printDiagnostic("error: \(error)")
                return ExitStatus.failure
            }
        }
        func median(_ key: KeyPath<KernelFloor.Figures, Double>) -> Double {
            ServerBenchmark.median(measured.map { $0[keyPath: key] })
        }
        let wake = median(\.wake), send = median(\.send)
        let wakeAndRead = median(\.wakeAndRead), commit = median(\.commit)
        let readers = Double(recipients)
        // Any design wakes a loop for the op and again when its commit is durable (an eventfd
        // or socket wake-up, like the reader's); the timed wake-up only calibrates the others.
        // One document × --recipients editors: the ack and the broadcasts, a commit of its own.
        let oneDocument = 2 * wakeAndRead + readers * send + commit
        // 50 documents × 4 editors: the ack and 3 broadcasts, a share of a commit.
        let manyDocuments = 2 * wakeAndRead + 4 * send + commit / opsPerCommit
        let rows: [(String, String, Double)] = [
            ("wake_us", "wake-up (timed sleep)", wake),
            ("send_us", "loopback send to a sleeping reader", send),
            ("wake_read_us", "reader woken for one message", wakeAndRead),
            ("commit_us", "WAL append (3 frames) + fdatasync", commit),
            ("floor_one_document_us", "floor per op, 1 document × \(recipients) editors", oneDocument),
            ("floor_fifty_documents_us", "floor per op, 50 documents × 4 editors", manyDocuments),
        ]
        output.printLine("Kernel CPU per primitive, median of \(runs) runs of \(rounds) rounds (µs):")
        for (_, label, value) in rows {
            output.printLine("  " + label.padding(toLength: 52, withPad: " ", startingAt: 0) + String(format: " %8.1f", value))
        }
        for (key, _, value) in rows {
            output.printLine("result \(key) " + String(format: "%.1f", value))
        }
        return ExitStatus.success
    }

    func measure() throws(Failure) -> Figures {
        let wake = perRound { sleep() }
        let pairs = try socketPairs(count: recipients)
        defer { for (a, b) in pairs { close(a); close(b) } }
        let message = [UInt8](repeating: UInt8(ascii: "x"), count: 130)
        // The readers (our accepted ends) sleep in epoll_wait on their own thread.
        let reader = Reader(descriptors: pairs.map(\.accepted))
        reader.start()
        let sendRound = perRound {
            for pair in pairs { _ = message.withUnsafeBytes { send(pair.connected, $0.baseAddress, $0.count, 0) } }
            sleep()
        }
        reader.stop(waking: pairs[0].connected)
        let perSend = max(0, sendRound - wake) / Double(recipients)
        let wakeAndRead = try readerCost(message: Array(message.prefix(50)))
        let commit = try commitCost()
        return Figures(wake: wake, send: perSend, wakeAndRead: wakeAndRead, commit: commit)
    }

    // MARK: - Primitives

    /// The calling thread's CPU microseconds per call of `body`, over `rounds` calls.
    private func perRound(_ body: () -> Void) -> Double {
        body()  // warm up
        let start = Self.threadCPU()
        for _ in 0..<rounds { body() }
        return (Self.threadCPU() - start) / Double(rounds)
    }

    private func sleep() {
        let (seconds, attoseconds) = pause.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// This thread's CPU time (user + system) in microseconds.
    static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
    }

    /// A reader thread's CPU per message when each message wakes it (one message per pause).
    private func readerCost(message: [UInt8]) throws(Failure) -> Double {
        let pairs = try socketPairs(count: 1)
        defer { close(pairs[0].connected); close(pairs[0].accepted) }
        let reader = Reader(descriptors: [pairs[0].accepted])
        reader.start()
        for _ in 0...rounds {
            _ = message.withUnsafeBytes { send(pairs[0].connected, $0.baseAddress, $0.count, 0) }
            sleep()
        }
        let (cpu, messages) = reader.stop(waking: pairs[0].connected)
        return cpu / Double(max(1, messages))
    }

    /// CPU per WAL-sized append and `fdatasync`, on a file growing in `directory` like a WAL.
    private func commitCost() throws(Failure) -> Double {
        let path = directory + "/collab-floor-\(getpid()).wal"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd); unlink(path) }
        let frames = [UInt8](repeating: 0xA5, count: 3 * 4_120)
        var offset = 0
        var failed = false
        let cost = perRound {
            let written = frames.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if written != frames.count || fdatasync(fd) != 0 { failed = true }
            offset += frames.count
            sleep()
        }
        if failed { throw Failure(description: "writing \(path) failed: \(String(cString: strerror(errno)))") }
        return max(0, cost - perRound { sleep() })
    }

    /// `count` connected loopback TCP pairs with Nagle off (as the server's sockets).
    private func socketPairs(count: Int) throws(Failure) -> [(connected: CInt, accepted: CInt)] {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 128) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "loopback listener: \(String(cString: strerror(errno)))") }
        var pairs: [(CInt, CInt)] = []
        for _ in 0..<count {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected = client >= 0 && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) == 0 }
            }
            let server = connected ? accept(listener, nil, nil) : -1
            guard server >= 0 else {
                let reason = String(cString: strerror(errno))
                if client >= 0 { close(client) }
                for (a, b) in pairs { close(a); close(b) }
                throw Failure(description: "loopback connection: \(reason)")
            }
            var one: CInt = 1
            for fd in [client, server] {
                setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
            }
            pairs.append((client, server))
        }
        return pairs
    }
}

extension KernelFloor {
    /// A thread reading whatever arrives on its sockets, sleeping in `epoll_wait` in between.
    final class Reader: Sendable {
        private struct State {
            var stopping = false
            var cpu = 0.0
            var reads = 0
        }

        private let descriptors: [CInt]
        private let state = Mutex(State())
        private let finished = DispatchSemaphore(value: 0)

        init(descriptors: [CInt]) {
            self.descriptors = descriptors
        }

        func start() {
            let thread = Thread { [self] in
                run()
                finished.signal()
            }
            thread.start()
        }

        /// Stops the thread (woken by one byte on `peer`); its CPU microseconds and reads before that.
        @discardableResult
        func stop(waking peer: CInt) -> (cpu: Double, reads: Int) {
            state.withLock { $0.stopping = true }
            var byte: UInt8 = 0
            _ = send(peer, &byte, 1, 0)
            finished.wait()
            return state.withLock { ($0.cpu, $0.reads) }
        }

        private func run() {
            let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
            defer { close(epoll) }
            for fd in descriptors {
                var event = epoll_event()
                event.events = EPOLLIN.rawValue
                event.data.fd = fd
                epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
            }
            var events = [epoll_event](repeating: epoll_event(), count: 64)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let start = KernelFloor.threadCPU()
            var reads = 0
            while true {
                let count = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, 64, 1_000) }
                for index in 0..<Int(max(0, count)) {
                    let n = buffer.withUnsafeMutableBytes { recv(events[index].data.fd, $0.baseAddress, $0.count, 0) }
                    if n > 0 { reads += 1 }
                }
                if state.withLock({ $0.stopping }) { break }
            }
            let cpu = KernelFloor.threadCPU() - start
            state.withLock {
                $0.cpu = cpu
                $0.reads = reads
            }
        }
    }
}
