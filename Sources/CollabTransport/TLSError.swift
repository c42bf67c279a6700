import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// A TLS failure, carrying OpenSSL's own explanation when it gave one.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed, coarsely, so callers can react without parsing the message.
    public enum Kind: Sendable, Equatable {
        /// The certificate chain file could not be read or holds no usable certificate.
        case certificate
        /// The private key file could not be read or holds no usable key.
        case privateKey
        /// The private key does not belong to the certificate.
        case keyMismatch
        /// The trusted CA file or the system trust store could not be loaded.
        case trustStore
        /// The context could not be configured (protocol versions, ciphers, allocation).
        case configuration
        /// The peer's certificate failed verification (untrusted, expired, wrong host name).
        case peerVerification
        /// The handshake failed for any other reason (protocol version, no shared cipher, garbage).
        case handshake
        /// A record after the handshake was malformed or the peer sent a fatal alert.
        case protocolFailure
        /// Application data was sent after this side sent close_notify, or after a fatal error.
        case closed
    }

    /// What failed.
    public let kind: Kind
    /// A human-readable explanation, e.g. `cannot read certificate 'x.pem': No such file or directory`.
    public let message: String

    /// Creates an error of `kind` explained by `message`.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// An error whose message is `context` followed by the text of OpenSSL's error queue for
    /// this thread, which it empties: the queue is thread-local, so anything left behind would
    /// be blamed on the next session served by the same event loop.
    static func fromErrorQueue(_ kind: Kind, _ context: String) -> TLSError {
        let reasons = drainErrorQueue()
        if reasons.isEmpty {
            return TLSError(kind: kind, message: context)
        }
        return TLSError(kind: kind, message: context + ": " + reasons.joined(separator: ": "))
    }

    /// The reasons queued by OpenSSL on this thread, oldest (the root cause) first, without
    /// repeats; the queue is left empty.
    static func drainErrorQueue() -> [String] {
        var reasons: [String] = []
        while true {
            var data: UnsafePointer<CChar>? = nil
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            var reason = reasonText(code)
            // "system lib", "PEM lib" and the like only say which library the reason before
            // them came from.
            if reason.hasSuffix(" lib") && !reasons.isEmpty { continue }
            if flags & ERR_TXT_STRING != 0, let data, data.pointee != 0 {
                let detail = String(cString: data)
                // "calling fopen(x.pem, r)" repeats what the caller already says; alert numbers
                // and similar details do not.
                if !detail.hasPrefix("calling ") {
                    reason += " (\(detail))"
                }
            }
            // OpenSSL often stacks "No such file or directory" and then "no such file".
            let lowered = reason.lowercased()
            if !reasons.contains(where: { $0.lowercased().hasPrefix(lowered) }) {
                reasons.append(reason)
            }
        }
        return reasons
    }

    private static func reasonText(_ code: UInt) -> String {
        if ERR_GET_LIB(code) == ERR_LIB_SYS {
            // System errors carry errno as their reason; OpenSSL 3 has no string for them.
            return String(cString: strerror(ERR_GET_REASON(code)))
        }
        if let text = ERR_reason_error_string(code) {
            return String(cString: text)
        }
        return "OpenSSL error \(String(code, radix: 16))"
    }
}
