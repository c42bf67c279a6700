import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// One TLS connection, decoupled from its socket: ciphertext goes in and out through memory
/// BIOs, so the event loop that owns the socket does all reading, writing and waiting.
///
/// Usage per readable event: `receive` what was read, then write whatever `drainOutgoing`
/// gives (handshake replies, alerts). Both are also needed after a `receive` that throws:
/// OpenSSL may have queued a fatal alert worth sending before the socket is closed.
/// Confined to one event-loop thread (not `Sendable`).
public final class TLSSession {
    private enum State {
        /// Handshake in progress; application data to send waits in `pendingPlaintext`.
        case handshaking
        /// Handshake done; application data flows.
        case established
        /// A fatal error happened; every later call reports it again.
        case failed(TLSError)
    }

    /// The largest TLS record payload; one SSL_read never returns more. Scratch buffers of
    /// this size live on the stack for one call, so idle sessions hold none.
    private static let scratchCapacity = 16 * 1024

    /// The context this session was made from (kept alive for as long as the session).
    public let context: TLSContext
    private let ssl: OpaquePointer
    /// Ciphertext received from the peer, waiting for OpenSSL to read it.
    private let inbound: OpaquePointer
    /// Ciphertext OpenSSL produced, waiting for the event loop to write it.
    private let outbound: OpaquePointer
    private var state: State = .handshaking
    /// Application data accepted by `send` but not yet encrypted (handshake not done yet).
    private var pendingPlaintext: [UInt8] = []
    private var sentCloseNotify = false

    /// Whether the handshake has completed (stays true after a later failure or close).
    public private(set) var isHandshakeComplete = false
    /// Whether the peer sent close_notify; reply with `shutdown` and then close the socket.
    public private(set) var peerClosed = false

    /// Starts a session. For a client, `serverName` is sent as SNI and, if the context verifies
    /// peers, the certificate must match it (a DNS name or an IP address); the ClientHello is
    /// ready in `drainOutgoing` at once. Without `serverName` a verifying client checks the
    /// chain but no host name, so callers that know the host must pass it. Servers ignore it.
    public init(context: TLSContext, serverName: String? = nil) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else {
            throw TLSError.fromErrorQueue(.configuration, "cannot create TLS session")
        }
        guard let inbound = BIO_new(BIO_s_mem()), let outbound = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.fromErrorQueue(.configuration, "cannot create TLS buffers")
        }
        // The SSL object now owns both BIOs and frees them with itself.
        SSL_set_bio(ssl, inbound, outbound)
        self.context = context
        self.ssl = ssl
        self.inbound = inbound
        self.outbound = outbound

        if context.isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let serverName {
                try configureServerName(serverName, verify: context.verifiesPeer)
            }
            // Produce the ClientHello now so the caller has something to write.
            var nothing: [UInt8] = []
            try advance(plaintext: &nothing)
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// The protocol agreed on, e.g. `TLSv1.3`; nil until the handshake completes.
    public var negotiatedProtocolVersion: String? {
        guard isHandshakeComplete, let name = SSL_get_version(ssl) else { return nil }
        return String(cString: name)
    }

    /// Whether ciphertext is waiting for `drainOutgoing`.
    public var hasOutgoing: Bool {
        BIO_ctrl_pending(outbound) > 0
    }

    // MARK: - Inbound

    /// Feeds `ciphertext` read from the socket, advances the handshake, and appends any
    /// decrypted application data to `plaintext`. Afterwards call `drainOutgoing`.
    /// Bytes arriving after the peer's close_notify are ignored.
    public func receive(ciphertext: UnsafeRawBufferPointer, plaintext: inout [UInt8]) throws(TLSError) {
        if case .failed(let error) = state { throw error }
        if peerClosed { return }
        if let base = ciphertext.baseAddress {
            var offset = 0
            while offset < ciphertext.count {
                let chunk = Int32(min(ciphertext.count - offset, Int(Int32.max)))
                // A memory BIO takes everything it is given (it grows), short of allocation failure.
                let written = BIO_write(inbound, base + offset, chunk)
                guard written > 0 else {
                    throw fail(TLSError.fromErrorQueue(.configuration, "cannot buffer received TLS data"))
                }
                offset += Int(written)
            }
        }
        try advance(plaintext: &plaintext)
    }

    /// Drives the handshake as far as the buffered input allows, then decrypts what it can.
    private func advance(plaintext: inout [UInt8]) throws(TLSError) {
        if case .handshaking = state {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            guard result == 1 else {
                switch SSL_get_error(ssl, result) {
                case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                    // Needs more ciphertext from the peer (WANT_WRITE cannot happen with a
                    // memory BIO, which never refuses a write; waiting is right either way).
                    return
                case SSL_ERROR_ZERO_RETURN:
                    peerClosed = true
                    throw fail(TLSError(kind: .handshake,
                                        message: "TLS handshake failed: peer closed the connection"))
                default:
                    throw fail(handshakeError())
                }
            }
            state = .established
            isHandshakeComplete = true
        }
        guard case .established = state else { return }
        try flushPendingPlaintext()
        try readApplicationData(into: &plaintext)
    }

    private func readApplicationData(into plaintext: inout [UInt8]) throws(TLSError) {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.scratchCapacity) {
            scratch throws(TLSError) in
            while !peerClosed {
                var count = 0
                ERR_clear_error()
                let result = SSL_read_ex(ssl, scratch.baseAddress, scratch.count, &count)
                if result == 1 {
                    plaintext.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
                    continue
                }
                switch SSL_get_error(ssl, result) {
                case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                    return
                case SSL_ERROR_ZERO_RETURN:
                    peerClosed = true
                default:
                    throw fail(TLSError.fromErrorQueue(.protocolFailure, "TLS receive failed"))
                }
            }
        }
    }

    // MARK: - Outbound

    /// Encrypts `plaintext` and appends the records, with anything else pending, to `ciphertext`.
    /// Before the handshake completes the data is kept and encrypted as soon as it does.
    public func send(plaintext: UnsafeRawBufferPointer, ciphertext: inout [UInt8]) throws(TLSError) {
        if case .failed(let error) = state { throw error }
        if sentCloseNotify {
            throw TLSError(kind: .closed, message: "cannot send on a TLS session after close_notify")
        }
        switch state {
        case .established where pendingPlaintext.isEmpty:
            let remainder = try write(plaintext)
            pendingPlaintext.append(contentsOf: remainder)
        case .established:
            pendingPlaintext.append(contentsOf: plaintext)
            try flushPendingPlaintext()
        case .handshaking, .failed:
            pendingPlaintext.append(contentsOf: plaintext)
        }
        drainOutgoing(into: &ciphertext)
    }

    /// Appends to `ciphertext` every byte OpenSSL wants written to the socket now.
    public func drainOutgoing(into ciphertext: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.scratchCapacity) { scratch in
            while true {
                let count = BIO_read(outbound, scratch.baseAddress, Int32(scratch.count))
                guard count > 0 else { return }
                ciphertext.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<Int(count)]))
            }
        }
    }

    /// Sends close_notify (once) and appends it, with anything still pending, to `ciphertext`.
    /// Before the handshake completes there is nothing to close politely, so nothing is sent.
    public func shutdown(ciphertext: inout [UInt8]) {
        defer { drainOutgoing(into: &ciphertext) }
        guard !sentCloseNotify else { return }
        sentCloseNotify = true
        guard case .established = state else { return }
        // Data accepted by `send` goes out before the close; a failure here only loses the
        // goodbye, which the caller cannot do anything about either.
        do throws(TLSError) {
            try flushPendingPlaintext()
        } catch {
            return
        }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Encrypts as much of `bytes` as OpenSSL takes; returns what it did not.
    private func write(_ bytes: UnsafeRawBufferPointer) throws(TLSError) -> UnsafeRawBufferPointer {
        guard let base = bytes.baseAddress else { return bytes }
        var offset = 0
        while offset < bytes.count {
            var written = 0
            ERR_clear_error()
            let result = SSL_write_ex(ssl, base + offset, bytes.count - offset, &written)
            if result == 1 {
                offset += written
                continue
            }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                // OpenSSL needs input first (e.g. a key update in progress); keep the rest.
                return UnsafeRawBufferPointer(rebasing: bytes[offset...])
            default:
                throw fail(TLSError.fromErrorQueue(.protocolFailure, "TLS send failed"))
            }
        }
        return UnsafeRawBufferPointer(rebasing: bytes[bytes.count...])
    }

    private func flushPendingPlaintext() throws(TLSError) {
        guard !pendingPlaintext.isEmpty else { return }
        // withUnsafeBytes only rethrows `any Error`, so carry the typed error out in a Result.
        let outcome = pendingPlaintext.withUnsafeBytes { bytes in
            Result { () throws(TLSError) in try write(bytes).count }
        }
        let unsent = try outcome.get()
        pendingPlaintext.removeFirst(pendingPlaintext.count - unsent)
    }

    // MARK: - Errors

    private func fail(_ error: TLSError) -> TLSError {
        state = .failed(error)
        return error
    }

    private func handshakeError() -> TLSError {
        let verifyResult = SSL_get_verify_result(ssl)
        if verifyResult != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verifyResult))
            _ = TLSError.drainErrorQueue()
            return TLSError(kind: .peerVerification,
                            message: "TLS handshake failed: certificate verify failed (\(reason))")
        }
        return TLSError.fromErrorQueue(.handshake, "TLS handshake failed")
    }

    private func configureServerName(_ name: String, verify: Bool) throws(TLSError) {
        // SNI must be a DNS name (RFC 6066); an address literal is checked as an IP instead.
        var address = in6_addr()
        let isAddress = inet_pton(AF_INET, name, &address) == 1 || inet_pton(AF_INET6, name, &address) == 1
        if !isAddress {
            guard copenssl_set_tlsext_host_name(ssl, name) == 1 else {
                throw TLSError.fromErrorQueue(.configuration, "cannot use server name '\(name)'")
            }
        }
        guard verify else { return }
        let accepted: Bool
        if isAddress {
            accepted = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1
        } else {
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            accepted = SSL_set1_host(ssl, name) == 1
        }
        guard accepted else {
            throw TLSError.fromErrorQueue(.configuration, "cannot verify server name '\(name)'")
        }
    }
}

@available(*, unavailable)
extension TLSSession: Sendable {}
