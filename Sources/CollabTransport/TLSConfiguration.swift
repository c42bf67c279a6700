/// What a `TLSContext` is built from: the side it plays and how it proves or checks identity.
///
/// TLS 1.2 is the minimum for both sides; compression and renegotiation are always off.
public struct TLSConfiguration: Sendable, Equatable {
    /// The side of the connection and its identity material.
    public enum Role: Sendable, Equatable {
        /// Accepts connections, presenting the PEM certificate chain (leaf first) and PEM key.
        case server(certificateChainFile: String, privateKeyFile: String)
        /// Opens connections and checks the server's certificate as `verification` says.
        case client(verification: PeerVerification)
    }

    /// How a client checks the server's certificate.
    public enum PeerVerification: Sendable, Equatable {
        /// Trust the system's CA store (OpenSSL's default verify paths).
        case systemTrustStore
        /// Trust only the PEM CA certificates in this file (e.g. a self-signed server's own cert).
        case certificateAuthorityFile(String)
        /// Accept any certificate. For tests only: it defeats the point of TLS.
        case none
    }

    /// Cipher suites for TLS 1.2 (OpenSSL cipher-list syntax): forward-secret AEAD suites only.
    /// TLS 1.3 suites are OpenSSL's defaults, which are all sound.
    public static let defaultCipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
        + "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"

    /// The side and its identity material.
    public var role: Role
    /// TLS 1.2 cipher suites; defaults to `defaultCipherList`.
    public var cipherList: String

    /// Creates a configuration for `role`.
    public init(role: Role, cipherList: String = TLSConfiguration.defaultCipherList) {
        self.role = role
        self.cipherList = cipherList
    }

    /// A server presenting the chain in `certificateChainFile` with the key in `privateKeyFile`
    /// (the `--tls-cert` / `--tls-key` options).
    public static func server(certificateChainFile: String, privateKeyFile: String) -> TLSConfiguration {
        TLSConfiguration(role: .server(certificateChainFile: certificateChainFile,
                                       privateKeyFile: privateKeyFile))
    }

    /// A client that verifies the server with `verification` (the system store by default).
    public static func client(verification: PeerVerification = .systemTrustStore) -> TLSConfiguration {
        TLSConfiguration(role: .client(verification: verification))
    }
}
