/// Why a request carries no usable token. Every case is HTTP 401 at the handshake and on the
/// HTTP API; a valid token that does not allow the document is a 403 decided by `Claims.allows`.
public enum TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One of the three dot-separated parts of a JWT.
    public enum Part: String, Sendable, Hashable {
        case header
        case payload
        case signature
    }

    /// The request has no token (neither `?token=` nor `Authorization: Bearer`).
    case missing
    /// The request carries two different tokens (query and header, or a field twice).
    case conflicting
    /// Not three non-empty dot-separated parts, too long, or a token that cannot be percent-decoded.
    case malformed
    /// A part is not strict unpadded base64url.
    case badBase64(Part)
    /// The header or payload is not a JSON object (or repeats a member name).
    case badJSON(Part)
    /// The header's `alg` is not exactly `HS256`; nil when it is missing or not a string.
    case unsupportedAlgorithm(String?)
    /// The header's `typ` is present and not `JWT`.
    case unsupportedType(String)
    /// The header has a `crit` member, naming extensions this verifier does not implement.
    case unsupportedCriticalHeader
    /// The signature does not match the server's secret.
    case badSignature
    /// `exp`, plus the leeway, is not after the current time.
    case expired
    /// `nbf`, minus the leeway, is after the current time.
    case notYetValid
    /// A required claim (`sub`, `exp`) is absent.
    case missingClaim(String)
    /// A claim has the wrong type or value (an empty `sub`, a fractional `exp`, an unknown `role`...).
    case invalidClaim(String)

    /// A short reason for logs and the 401 body; never includes the token itself.
    public var description: String {
        switch self {
        case .missing: return "no token: use ?token= or an Authorization: Bearer header"
        case .conflicting: return "the request carries two different tokens"
        case .malformed: return "the token is not a JWT (three non-empty base64url parts)"
        case .badBase64(let part): return "the token's \(part.rawValue) is not base64url"
        case .badJSON(let part): return "the token's \(part.rawValue) is not a JSON object"
        case .unsupportedAlgorithm(let alg?): return "unsupported token algorithm '\(alg)': only HS256 is accepted"
        case .unsupportedAlgorithm(nil): return "the token header names no algorithm: only HS256 is accepted"
        case .unsupportedType(let type): return "unsupported token type '\(type)'"
        case .unsupportedCriticalHeader: return "the token header has critical extensions"
        case .badSignature: return "the token's signature does not match"
        case .expired: return "the token has expired"
        case .notYetValid: return "the token is not valid yet"
        case .missingClaim(let name): return "the token has no '\(name)' claim"
        case .invalidClaim(let name): return "the token's '\(name)' claim is invalid"
        }
    }
}
