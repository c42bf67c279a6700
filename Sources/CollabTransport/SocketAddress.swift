#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 socket address (address and port).
public enum SocketAddress: Sendable, CustomStringConvertible {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)

    /// Parses a numeric host (`127.0.0.1`, `::1`, `[::1]`) or `localhost` (= 127.0.0.1).
    /// No DNS lookups: the server binds to literal addresses.
    public init(host: String, port: Int) throws(IOError) {
        guard (0...65535).contains(port) else {
            throw IOError(errnoCode: EINVAL, reason: "port \(port) out of range")
        }
        var name = host
        if name == "localhost" { name = "127.0.0.1" }
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, name, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            self = .v4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, name, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            self = .v6(v6)
            return
        }
        throw IOError(errnoCode: EINVAL, reason: "parse address '\(host)'")
    }

    /// Reads an address the kernel filled in; nil for families other than IPv4/IPv6.
    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            self = withUnsafeBytes(of: &storage) { .v4($0.load(as: sockaddr_in.self)) }
        case AF_INET6:
            self = withUnsafeBytes(of: &storage) { .v6($0.load(as: sockaddr_in6.self)) }
        default:
            return nil
        }
    }

    /// The port in host byte order.
    public var port: Int {
        switch self {
        case .v4(let a): Int(UInt16(bigEndian: a.sin_port))
        case .v6(let a): Int(UInt16(bigEndian: a.sin6_port))
        }
    }

    /// The address family (`AF_INET` or `AF_INET6`).
    public var family: Int32 {
        switch self {
        case .v4: AF_INET
        case .v6: AF_INET6
        }
    }

    /// The numeric host, e.g. `127.0.0.1` or `::1`.
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch self {
        case .v4(var a): _ = inet_ntop(AF_INET, &a.sin_addr, &buffer, socklen_t(buffer.count))
        case .v6(var a): _ = inet_ntop(AF_INET6, &a.sin6_addr, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String {
        switch self {
        case .v4: "\(host):\(port)"
        case .v6: "[\(host)]:\(port)"
        }
    }

    /// Calls `body` with a `sockaddr` pointer and length for system calls.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(IOError) -> R) throws(IOError) -> R {
        switch self {
        case .v4(var a):
            return try withUnsafeBytes(of: &a) { (raw) throws(IOError) -> R in
                try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                         socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        case .v6(var a):
            return try withUnsafeBytes(of: &a) { (raw) throws(IOError) -> R in
                try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                         socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }
}
