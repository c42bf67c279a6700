#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of a server, for faults a real server will not stage on
/// cue: armed with a marker, it forwards the first client bytes holding it, lets the server
/// act on them, then cuts that connection without passing the server's answer back (the
/// client cannot know the outcome). Every other connection, before and after, is relayed as is.
public final class CuttingProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let target: Int
    private let listener: Int32
    /// The armed marker and how long the bytes holding it are held back from the server.
    private let marker = Mutex<(bytes: [UInt8], lead: Int, delay: Duration)?>(nil)
    /// Connections cut so far.
    public var cuts: Int { cutCount.load(ordering: .relaxed) }
    private let cutCount = Atomic<Int>(0)

    /// Listens on a free loopback port and relays to 127.0.0.1:`target`.
    public init(target: Int) throws {
        self.target = target
        let (fd, port) = try LoopbackPort.boundSocket()
        guard listen(fd, 16) == 0 else {
            close(fd)
            throw LoopbackPort.Failure(description: "the proxy cannot listen")
        }
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Cuts the next connection whose client sends `bytes`. With no `delay` the bytes reach
    /// the server first (it acts on them; its answer is lost). With one, the client is cut at
    /// once and what it sent from `lead` bytes before the marker on reaches the server only
    /// `delay` later (a packet that arrives late; what came before it arrives in time).
    public func arm(cuttingAfter bytes: [UInt8], lead: Int = 0, delay: Duration = .zero) {
        marker.withLock { $0 = (bytes, lead, delay) }
    }

    /// Stops accepting (relayed connections end with their peers).
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(target).bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                close(client)
                close(server)
                continue
            }
            let relay = Relay(client: client, server: server)
            Thread { [self] in pump(from: client, to: server, watching: true, relay: relay) }.start()
            Thread { [self] in pump(from: server, to: client, watching: false, relay: relay) }.start()
        }
    }

    /// One relayed connection: cut or not, and closed by the second of its pumps to end.
    private final class Relay: Sendable {
        let client: Int32
        let server: Int32
        let cut = Atomic<Bool>(false)
        let ended = Atomic<Int>(0)
        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
        func pumpEnded() {
            guard ended.add(1, ordering: .relaxed).newValue == 2 else { return }
            close(client)
            close(server)
        }
    }

    private func pump(from source: Int32, to destination: Int32, watching: Bool, relay: Relay) {
        defer { relay.pumpEnded() }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var seen: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0, !relay.cut.load(ordering: .relaxed) else { break }
            let chunk = Array(buffer[0..<count])
            var cutting: (bytes: [UInt8], lead: Int, delay: Duration)?
            if watching {
                // The marker may straddle two reads.
                seen = Array((seen + chunk).suffix(count + 64))
                cutting = marker.withLock { marker -> (bytes: [UInt8], lead: Int, delay: Duration)? in
                    guard let armed = marker, Self.contains(seen, armed.bytes) else { return nil }
                    marker = nil
                    return armed
                }
                // From now on nothing the server says reaches the client.
                if cutting != nil {
                    relay.cut.store(true, ordering: .relaxed)
                    cutCount.add(1, ordering: .relaxed)
                }
            }
            guard let (bytes, lead, delay) = cutting else {
                _ = chunk.withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                continue
            }
            if delay > .zero {
                let split = max(0, (Self.firstIndex(of: bytes, in: chunk) ?? 0) - lead)
                _ = chunk[..<split].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                shutdown(source, Int32(SHUT_RDWR))
                Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) * 1e-18)
                _ = chunk[split...].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
            } else {
                _ = chunk.withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
            }
            // Let the server act on it, then drop both sides.
            Thread.sleep(forTimeInterval: 0.3)
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(destination, Int32(SHUT_RDWR))
            break
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        firstIndex(of: needle, in: haystack) != nil
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
