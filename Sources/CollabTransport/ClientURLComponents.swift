/// The parts of a client URL `scheme://host[:port][/path][?query]`, shared by
/// `HTTPClientURL` and `WebSocketClientURL`, which differ only in their scheme names.
///
/// Accepted: a DNS name, an IPv4 literal or a bracketed IPv6 literal; no user info, no fragment.
struct ClientURLComponents {
    var isSecure: Bool
    /// The host as written, without IPv6 brackets.
    var host: String
    var port: Int
    /// Path and query, at least `/`.
    var target: String

    /// Parses `text` whose scheme (case-insensitive) is `plainScheme` or `secureScheme`.
    init?(_ text: String, plainScheme: String, secureScheme: String) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix(plainScheme + "://") {
            isSecure = false
            rest = text.dropFirst(plainScheme.count + 3)
        } else if lower.hasPrefix(secureScheme + "://") {
            isSecure = true
            rest = text.dropFirst(secureScheme.count + 3)
        } else {
            return nil
        }
        guard !rest.contains("#") else { return nil }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard !authority.isEmpty, !authority.contains("@"),
              !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        let hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            guard !hostPart.contains(":") else { return nil }
        }
        guard !hostPart.isEmpty,
              hostPart.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "/") }) else { return nil }
        host = String(hostPart)
        if let portPart {
            guard !portPart.isEmpty, portPart.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let port = Int(portPart), (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = isSecure ? 443 : 80
        }
        self.target = target
    }

    /// The `Host` header value: the host (bracketed if IPv6), with the port unless it is the default.
    static func hostHeader(host: String, port: Int, isSecure: Bool) -> String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isSecure ? 443 : 80) ? name : "\(name):\(port)"
    }
}
