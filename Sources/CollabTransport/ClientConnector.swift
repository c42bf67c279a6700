import CLinux
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Opens outgoing TCP connections without blocking a loop: a non-blocking `connect`
/// (EINPROGRESS), then EPOLLOUT, then `SO_ERROR`, under a timeout.
///
/// Host names: numeric IPv4/IPv6 literals and `localhost` are used as they are; any other
/// name is resolved with `getaddrinfo` on a Dispatch worker thread (never on the loop, since
/// it blocks), and the addresses are tried in the order the resolver returned them.
public enum ClientConnector {
    /// Connects to `address` from `eventLoop`; `completion` runs on the loop with the connected,
    /// non-blocking descriptor (the caller owns it, e.g. for `Connection.adopt`) or the error
    /// (`ETIMEDOUT` after `timeout`). Must be called on `eventLoop`.
    public static func connect(to address: SocketAddress, on eventLoop: EventLoop, timeout: Duration,
                               completion: @escaping (Result<CInt, IOError>) -> Void) {
        eventLoop.preconditionInEventLoop()
        let attempt = ClientConnectorAttempt(eventLoop: eventLoop, address: address, completion: completion)
        attempt.start(timeout: timeout)
    }

    /// Connects to `host` (literal, `localhost`, or a name to resolve) and `port`; as above.
    /// Every resolved address is tried in turn, each under `timeout`.
    public static func connect(host: String, port: Int, on eventLoop: EventLoop, timeout: Duration,
                               completion: @escaping (Result<CInt, IOError>) -> Void) {
        eventLoop.preconditionInEventLoop()
        if let literal = try? SocketAddress(host: host, port: port) {
            connect(to: literal, on: eventLoop, timeout: timeout, completion: completion)
            return
        }
        // The completion is not Sendable: it stays on the loop, and only the resolver's
        // result (Sendable) travels back to it.
        let pending = LoopBound(completion, eventLoop: eventLoop)
        DispatchQueue.global().async {
            let resolved: Result<[SocketAddress], IOError>
            do throws(IOError) {
                resolved = .success(try resolve(host: host, port: port))
            } catch {
                resolved = .failure(error)
            }
            eventLoop.execute {
                let completion = pending.value
                switch resolved {
                case .failure(let error):
                    completion(.failure(error))
                case .success(let addresses):
                    connectFirst(of: addresses[...], on: eventLoop, timeout: timeout, lastError: nil,
                                 completion: completion)
                }
            }
        }
    }

    private static func connectFirst(of addresses: ArraySlice<SocketAddress>, on eventLoop: EventLoop,
                                     timeout: Duration, lastError: IOError?,
                                     completion: @escaping (Result<CInt, IOError>) -> Void) {
        guard let address = addresses.first else {
            completion(.failure(lastError ?? IOError(errnoCode: EHOSTUNREACH, reason: "connect")))
            return
        }
        connect(to: address, on: eventLoop, timeout: timeout) { result in
            switch result {
            case .success:
                completion(result)
            case .failure(let error):
                connectFirst(of: addresses.dropFirst(), on: eventLoop, timeout: timeout, lastError: error,
                             completion: completion)
            }
        }
    }

    /// Resolves `host` to TCP addresses with `getaddrinfo`. Blocks: never call it on a loop.
    public static func resolve(host: String, port: Int) throws(IOError) -> [SocketAddress] {
        if let literal = try? SocketAddress(host: host, port: port) { return [literal] }
        guard (0...65535).contains(port) else {
            throw IOError(errnoCode: EINVAL, reason: "port \(port) out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let list else {
            let message = rc == 0 ? "no addresses" : String(cString: gai_strerror(rc))
            throw IOError(errnoCode: EHOSTUNREACH, reason: "resolve '\(host)' (\(message))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr {
                var storage = sockaddr_storage()
                let length = min(Int(entry.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: length)) }
                if let address = SocketAddress(storage: storage) { addresses.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            throw IOError(errnoCode: EHOSTUNREACH, reason: "resolve '\(host)' (no IPv4/IPv6 address)")
        }
        return addresses
    }
}
