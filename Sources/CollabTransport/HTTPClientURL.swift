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
        guard let parts = ClientURLComponents(text, plainScheme: "http", secureScheme: "https") else { return nil }
        isSecure = parts.isSecure
        host = parts.host
        port = parts.port
        target = parts.target
    }

    /// The `Host` header value: the host (bracketed if IPv6), with the port unless it is the default.
    public var hostHeader: String {
        ClientURLComponents.hostHeader(host: host, port: port, isSecure: isSecure)
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
