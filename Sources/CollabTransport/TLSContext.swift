import COpenSSL

/// A configured OpenSSL `SSL_CTX`: load certificates once, then make a `TLSSession` per
/// connection from any event-loop thread.
///
/// `@unchecked Sendable` because the `SSL_CTX` is only mutated inside `init`; afterwards
/// OpenSSL allows `SSL_new` on it from several threads at once (its reference count and
/// session cache take their own locks).
public final class TLSContext: @unchecked Sendable {
    /// Whether sessions made from this context accept (server) or open (client) connections.
    public let isServer: Bool
    /// Whether a client context checks the server's certificate (and so its host name).
    let verifiesPeer: Bool
    let context: OpaquePointer

    /// Builds a context from `configuration`, reading any certificate and key files now.
    public init(configuration: TLSConfiguration) throws(TLSError) {
        ERR_clear_error()
        let isServer: Bool
        switch configuration.role {
        case .server: isServer = true
        case .client: isServer = false
        }
        guard let context = SSL_CTX_new(isServer ? TLS_server_method() : TLS_client_method()) else {
            throw TLSError.fromErrorQueue(.configuration, "cannot create TLS context")
        }
        do throws(TLSError) {
            try Self.applyCommonSettings(context, configuration: configuration, isServer: isServer)
            switch configuration.role {
            case .server(let certificateChainFile, let privateKeyFile):
                try Self.loadIdentity(context, certificateChainFile: certificateChainFile,
                                      privateKeyFile: privateKeyFile)
                verifiesPeer = false
            case .client(let verification):
                verifiesPeer = try Self.loadTrust(context, verification: verification)
            }
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        // Loading the system store can queue harmless complaints (e.g. a missing directory).
        ERR_clear_error()
        self.isServer = isServer
        self.context = context
    }

    /// Wraps an `SSL_CTX` configured elsewhere, taking over its reference. Lets tests build
    /// deliberately weak peers (e.g. a TLS 1.1-only client) that the public API refuses to make.
    init(takingOwnershipOf context: OpaquePointer, isServer: Bool, verifiesPeer: Bool) {
        self.context = context
        self.isServer = isServer
        self.verifiesPeer = verifiesPeer
    }

    deinit {
        SSL_CTX_free(context)
    }

    private static func applyCommonSettings(_ context: OpaquePointer, configuration: TLSConfiguration,
                                            isServer: Bool) throws(TLSError) {
        guard copenssl_ctx_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw TLSError.fromErrorQueue(.configuration, "cannot require TLS 1.2")
        }
        // Compression invites CRIME-style attacks; renegotiation is a DoS and a state-machine
        // hazard we have no use for.
        var options = copenssl_op_no_compression() | copenssl_op_no_renegotiation()
        if isServer {
            options |= copenssl_op_cipher_server_preference()
        }
        SSL_CTX_set_options(context, options)
        // Release idle record buffers (many mostly idle connections); accept partial writes
        // and a write buffer that moves between retries, since our callers' arrays may.
        let mode = Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE
                       | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)
        _ = copenssl_ctx_set_mode(context, mode)
        guard SSL_CTX_set_cipher_list(context, configuration.cipherList) == 1 else {
            throw TLSError.fromErrorQueue(
                .configuration, "cannot use cipher list '\(configuration.cipherList)'")
        }
    }

    private static func loadIdentity(_ context: OpaquePointer, certificateChainFile: String,
                                     privateKeyFile: String) throws(TLSError) {
        guard SSL_CTX_use_certificate_chain_file(context, certificateChainFile) == 1 else {
            throw TLSError.fromErrorQueue(
                .certificate, "cannot read certificate '\(certificateChainFile)'")
        }
        // Read the key ourselves rather than with SSL_CTX_use_PrivateKey_file: that would ask
        // for a passphrase on the terminal if the key is encrypted, and it cannot tell a bad
        // file from a key that belongs to another certificate.
        guard let file = BIO_new_file(privateKeyFile, "r") else {
            throw TLSError.fromErrorQueue(.privateKey, "cannot read private key '\(privateKeyFile)'")
        }
        defer { BIO_free(file) }
        let refusePassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32,
                                              UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in
            -1
        }
        guard let key = PEM_read_bio_PrivateKey(file, nil, refusePassphrase, nil) else {
            throw TLSError.fromErrorQueue(.privateKey, "cannot read private key '\(privateKeyFile)'")
        }
        defer { EVP_PKEY_free(key) }
        let mismatch = "private key '\(privateKeyFile)' does not match certificate '\(certificateChainFile)'"
        guard SSL_CTX_use_PrivateKey(context, key) == 1 else {
            throw TLSError.fromErrorQueue(.keyMismatch, mismatch)
        }
        // A key of another type (EC key, RSA certificate) is stored in another slot without
        // complaint above; this check catches it.
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError.fromErrorQueue(.keyMismatch, mismatch)
        }
    }

    /// Sets up peer verification for a client; returns whether the peer will be verified.
    private static func loadTrust(_ context: OpaquePointer,
                                  verification: TLSConfiguration.PeerVerification) throws(TLSError) -> Bool {
        switch verification {
        case .none:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
            return false
        case .systemTrustStore:
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw TLSError.fromErrorQueue(.trustStore, "cannot load the system trust store")
            }
        case .certificateAuthorityFile(let path):
            guard SSL_CTX_load_verify_locations(context, path, nil) == 1 else {
                throw TLSError.fromErrorQueue(.trustStore, "cannot read CA certificates '\(path)'")
            }
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        return true
    }
}
