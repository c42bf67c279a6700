/// Whether the connection uses TLS (a subset of libpq's sslmode).
public enum PostgresSSLMode: String, Sendable, Hashable, CaseIterable {
    /// Plain TCP.
    case disable
    /// TLS or nothing; like libpq's `require`, the certificate is not verified.
    case require
}
