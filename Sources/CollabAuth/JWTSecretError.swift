/// Why no usable token-signing secret could be loaded.
public enum JWTSecretError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The secret has fewer than `JWTSecret.minimumByteCount` bytes (HS256 wants at least 256 bits).
    case tooShort(byteCount: Int)
    /// The secret file is larger than `JWTSecret.maximumByteCount` bytes.
    case tooLong(path: String)
    /// The secret file could not be opened or read; `reason` is the system's message.
    case unreadable(path: String, reason: String)

    /// The message a command prints, without the secret.
    public var description: String {
        switch self {
        case .tooShort(let count):
            return "the token-signing secret has \(count) bytes; at least \(JWTSecret.minimumByteCount) are needed"
        case .tooLong(let path):
            return "the token-signing secret file '\(path)' is over \(JWTSecret.maximumByteCount) bytes"
        case .unreadable(let path, let reason):
            return "cannot read the token-signing secret file '\(path)': \(reason)"
        }
    }
}
