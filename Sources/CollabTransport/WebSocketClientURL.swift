/// A parsed `ws://` or `wss://` URL: what the client connects to and asks for.
///
/// Accepted: `ws[s]://host[:port][/path][?query]` with a DNS name, an IPv4 literal or a
/// bracketed IPv6 literal. No user info, no fragment (RFC 6455 §3 forbids fragments).
public struct WebSocketClientURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (`wss`).
    public var isSecure: Bool
    /// The host as written, without IPv6 brackets (also the TLS server name).
    public var host: String
    /// The TCP port (default 80 for ws, 443 for wss).
    public var port: Int
    /// The request target: path and query, at least `/`.
    public var target: String

    /// Parses `text`; nil if it is not an acceptable WebSocket URL.
    public init?(_ text: String) {
        guard let parts = ClientURLComponents(text, plainScheme: "ws", secureScheme: "wss") else { return nil }
        isSecure = parts.isSecure
        host = parts.host
        port = parts.port
        target = parts.target
    }

    /// The `Host` header value: the host (bracketed if IPv6), with the port unless it is the default.
    public var hostHeader: String {
        ClientURLComponents.hostHeader(host: host, port: port, isSecure: isSecure)
    }

    public var description: String {
        "\(isSecure ? "wss" : "ws")://\(hostHeader)\(target)"
    }
}
