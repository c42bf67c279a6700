/// Why a SCRAM-SHA-256 exchange could not go on.
public enum SCRAMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A server message out of order (server-final before server-first, ...).
    case unexpectedMessage(String)
    /// A server message missing an attribute or carrying a bad one.
    case malformedServerMessage(String)
    /// The server's nonce does not extend ours.
    case nonceMismatch
    /// The server-final signature is wrong: the server does not know the password.
    case serverSignatureMismatch
    /// The server reported an error ("e=...").
    case serverError(String)
    /// OpenSSL failed to compute a digest.
    case cryptoFailure(String)

    public var description: String {
        switch self {
        case .unexpectedMessage(let what): return "unexpected SCRAM message: \(what)"
        case .malformedServerMessage(let what): return "malformed SCRAM server message: \(what)"
        case .nonceMismatch: return "SCRAM server nonce does not extend the client nonce"
        case .serverSignatureMismatch: return "SCRAM server signature does not verify"
        case .serverError(let text): return "SCRAM server error: \(text)"
        case .cryptoFailure(let what): return "SCRAM crypto failure: \(what)"
        }
    }
}
