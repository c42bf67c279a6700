/// A parsed `http://` or `https://` URL for `HTTPClient`.
///
/// Accepted: `http[s]://host[:port][/path][?query]` with a DNS name, an IPv4 literal or a
/// bracketed IPv6 literal. No user info, no fragment.
public struct HTTPClientURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (`https`).
    public var isSecure: Bool
    /// The host as written, without IPv6 brackets (also the TLS server name).
    public var host: String
    /// The TCP port (default 80 for http, 443 for https).
    public var port: Int
    /// The request target: path and query, at least `/`.
    public var target: String

    /// Parses `text`; nil if it is not an acceptable http or https URL.
    public init?(_ text: String) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            isSecure = false
            rest = text.dropFirst(7)
        } else if lower.hasPrefix("https://") {
            isSecure = true
            rest = text.dropFirst(8)
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
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isSecure ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// This URL with `target` (a path starting with `/`, and any query) appended to its path:
    /// `http://h:8080/collab` + `/v1/docs` is `http://h:8080/collab/v1/docs`. A query of this
    /// URL is dropped.
    public func appending(_ target: String) -> HTTPClientURL {
        var url = self
        var base = self.target
        if let query = base.firstIndex(of: "?") { base = String(base[..<query]) }
        while base.hasSuffix("/") { base.removeLast() }
        url.target = base + (target.hasPrefix("/") ? target : "/" + target)
        return url
    }

    public var description: String {
        "\(isSecure ? "https" : "http")://\(hostHeader)\(target)"
    }
}
