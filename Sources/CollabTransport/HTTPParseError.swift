/// Why a request head was rejected, with the status to answer before closing.
public enum HTTPParseError: Error, Sendable, Hashable {
    /// Request line longer than the limit: 414.
    case requestLineTooLong
    /// Header section over the byte limit or too many fields: 431.
    case headerSectionTooLarge
    /// Major version other than 1: 505.
    case unsupportedVersion
    /// Anything else malformed: 400, with a short reason.
    case malformed(String)

    /// The HTTP status to reply with.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headerSectionTooLarge: .requestHeaderFieldsTooLarge
        case .unsupportedVersion: .httpVersionNotSupported
        case .malformed: .badRequest
        }
    }

    /// A human-readable reason for the error body.
    public var message: String {
        switch self {
        case .requestLineTooLong: "request line too long"
        case .headerSectionTooLarge: "request header fields too large"
        case .unsupportedVersion: "HTTP version not supported"
        case .malformed(let reason): reason
        }
    }
}
