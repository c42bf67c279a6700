/// Why an `HTTPClient` request got no complete response.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host name could not be resolved, or the TCP connection could not be opened
    /// (refused, unreachable, timed out): the `IOError` of the last address tried.
    case connect(IOError)
    /// The whole exchange took longer than the configured timeout.
    case timedOut
    /// The TLS handshake or a TLS record failed (including certificate verification).
    case tls(TLSError)
    /// Reading or writing the socket failed after the connection was open.
    case io(IOError)
    /// The server closed the connection before the response was complete.
    case closedEarly
    /// The response is not valid HTTP/1.1 (a bad status line, header or chunk).
    case malformedResponse(String)
    /// The response body is larger than the configured limit, in bytes.
    case bodyTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .connect(let error): "cannot connect: \(error)"
        case .timedOut: "the server did not answer in time"
        case .tls(let error): error.description
        case .io(let error): "connection failed: \(error)"
        case .closedEarly: "the server closed the connection before the response was complete"
        case .malformedResponse(let reason): "malformed HTTP response: \(reason)"
        case .bodyTooLarge(let limit): "the response body is larger than \(limit) bytes"
        }
    }
}
