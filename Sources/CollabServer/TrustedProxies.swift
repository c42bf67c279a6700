#if canImport(Glibc)
import Glibc
#endif

/// The proxies (`--trusted-proxy CIDR`) whose `X-Forwarded-For` is believed: behind a load
/// balancer the client's address comes from that header, for the per-address connection cap
/// and the logs. A peer outside these ranges is the client, whatever it sends.
public struct TrustedProxies: Sendable, Equatable {
    /// One range: an address's bytes (4 or 16) and how many leading bits must match.
    struct Range: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var bits = prefixLength
            for (a, b) in zip(address, bytes) where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                guard a & mask == b & mask else { return false }
                bits -= 8
            }
            return true
        }
    }

    /// Why a range is not one.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private(set) var ranges: [Range] = []

    /// No proxy is trusted: every peer is the client.
    public init() {}

    /// Trusts `cidrs` (`10.0.0.0/8`, `127.0.0.1`, `::1/128`, `fd00::/8`; no prefix: one address).
    public init(cidrs: [String]) throws(ParseError) {
        for cidr in cidrs {
            let parts = cidr.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = Self.bytes(of: String(parts[0])) else {
                throw ParseError(description: "'\(cidr)' is not an IPv4 or IPv6 address or range (10.0.0.0/8, fd00::/8)")
            }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let given = Int(parts[1]), (0...bytes.count * 8).contains(given) else {
                    throw ParseError(description: "'\(cidr)': the prefix length must be 0 to \(bytes.count * 8)")
                }
                prefix = given
            }
            ranges.append(Range(bytes: bytes, prefixLength: prefix))
        }
    }

    /// Whether `address` (numeric) is in a trusted range.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address: the peer itself unless it is a trusted proxy; then, walking the
    /// `X-Forwarded-For` hops from the nearest, the first one that is not a trusted proxy (or
    /// the farthest, if all are). A malformed hop ends the walk at the hop before it.
    public func clientAddress(peer: String?, forwardedFor fields: [String]) -> String? {
        guard let peer, !ranges.isEmpty, contains(peer) else { return peer }
        let hops = fields.flatMap { $0.split(separator: ",") }.map(Self.trimmed)
        var client = peer
        for hop in hops.reversed() {
            let address = Self.normalized(hop)
            guard Self.bytes(of: address) != nil else { break }
            client = address
            if !contains(address) { break }
        }
        return client
    }

    /// `[::1]` and `1.2.3.4:5678` as proxies write them, as a bare address.
    static func normalized(_ hop: String) -> String {
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") {
            return String(hop[hop.index(after: hop.startIndex)..<close])
        }
        if hop.filter({ $0 == ":" }).count == 1, let colon = hop.firstIndex(of: ":") {
            return String(hop[..<colon])
        }
        return hop
    }

    static func trimmed(_ text: Substring) -> String {
        var slice = text
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

    static func bytes(of address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

