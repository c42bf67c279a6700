/// Why a WebSocket client connection could not be opened (or an async send failed).
public enum WebSocketClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not `ws://` / `wss://` with a host (or a request header contains CR/LF).
    case invalidURL(String)
    /// Resolving, connecting or reading the socket failed (`ETIMEDOUT` for the connect timeout).
    case connectionFailed(IOError)
    /// The TLS handshake failed (e.g. `kind == .peerVerification` for an untrusted certificate).
    case tls(TLSError)
    /// The server answered the upgrade with a status other than 101; `body` is what it sent
    /// (up to 64 KiB), e.g. the contract's `{"error":"unauthorized",...}`.
    case handshakeRejected(status: Int, headers: HTTPHeaders, body: [UInt8])
    /// The server answered 101 but the response breaks RFC 6455 (bad accept key, ...).
    case invalidHandshake(WebSocketClientHandshakeError)
    /// The server's response is not HTTP/1.1.
    case malformedResponse(HTTPResponseParser.ParseError)
    /// The server did not complete the opening handshake within the handshake timeout.
    case handshakeTimedOut
    /// The connection closed before the handshake completed (or, for a send, it is closed).
    case closed

    /// Whether retrying the same request may succeed: false for 4xx rejections other than
    /// 408 and 429 (401/403 stay wrong until the credentials change), invalid URLs and
    /// handshake violations; true for network failures, timeouts and 5xx.
    public var isRetryable: Bool {
        switch self {
        case .handshakeRejected(let status, _, _):
            return !(400...499).contains(status) || status == 408 || status == 429
        case .invalidURL, .invalidHandshake, .malformedResponse:
            return false
        case .tls(let error):
            return error.kind != .peerVerification
        case .connectionFailed, .handshakeTimedOut, .closed:
            return true
        }
    }

    /// The rejection body as text (lossy UTF-8), if this is a rejection.
    public var rejectionBody: String? {
        guard case .handshakeRejected(_, _, let body) = self else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    public var description: String {
        switch self {
        case .invalidURL(let text): "invalid WebSocket URL '\(text)'"
        case .connectionFailed(let error): "\(error)"
        case .tls(let error): "\(error)"
        case .handshakeRejected(let status, _, let body):
            "server refused the WebSocket upgrade with HTTP \(status)"
                + (body.isEmpty ? "" : ": \(String(decoding: body.prefix(512), as: UTF8.self))")
        case .invalidHandshake(let error): "invalid WebSocket handshake response: \(error)"
        case .malformedResponse(let error): "malformed HTTP response: \(error)"
        case .handshakeTimedOut: "WebSocket handshake timed out"
        case .closed: "connection closed"
        }
    }
}
