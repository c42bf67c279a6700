import COpenSSL
import Foundation
import Testing
@testable import CollabTransport

/// Runs a handshake between `server` and a fresh session of `client` over in-memory wires;
/// returns the client session, or throws the first TLSError either side raised.
private func handshake(server: TLSContext, client: TLSContext, serverName: String?) throws -> TLSSession {
    let serverSession = try TLSSession(context: server)
    let clientSession = try TLSSession(context: client, serverName: serverName)
    var wire: [UInt8] = []
    var plaintext: [UInt8] = []
    for _ in 0..<20 {
        wire.removeAll()
        clientSession.drainOutgoing(into: &wire)
        try wire.withUnsafeBytes { try serverSession.receive(ciphertext: $0, plaintext: &plaintext) }
        wire.removeAll()
        serverSession.drainOutgoing(into: &wire)
        if wire.isEmpty && clientSession.isHandshakeComplete { return clientSession }
        try wire.withUnsafeBytes { try clientSession.receive(ciphertext: $0, plaintext: &plaintext) }
    }
    Issue.record("handshake did not finish")
    return clientSession
}

@Suite struct TLSContextTests {
    @Test func missingCertificateFileIsExplained() throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let missing = certificate.file("missing.pem")
        let error = try #require(throws: TLSError.self) {
            try TLSContext(configuration: .server(certificateChainFile: missing,
                                                  privateKeyFile: certificate.privateKeyPath))
        }
        #expect(error.kind == .certificate)
        #expect(error.message == "cannot read certificate '\(missing)': No such file or directory")
        #expect(ERR_peek_error() == 0)
    }

    @Test func missingKeyFileIsExplained() throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let missing = certificate.file("missing-key.pem")
        let error = try #require(throws: TLSError.self) {
            try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                  privateKeyFile: missing))
        }
        #expect(error.kind == .privateKey)
        #expect(error.message == "cannot read private key '\(missing)': No such file or directory")
    }

    @Test func filesWithoutPEMAreRejected() throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let junk = certificate.file("junk.pem")
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: junk))

        let certificateError = try #require(throws: TLSError.self) {
            try TLSContext(configuration: .server(certificateChainFile: junk,
                                                  privateKeyFile: certificate.privateKeyPath))
        }
        #expect(certificateError.kind == .certificate)
        #expect(certificateError.message.hasPrefix("cannot read certificate '\(junk)': "), "\(certificateError)")
        #expect(certificateError.message.contains("no start line"), "\(certificateError)")

        let keyError = try #require(throws: TLSError.self) {
            try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                  privateKeyFile: junk))
        }
        #expect(keyError.kind == .privateKey)
        #expect(keyError.message.hasPrefix("cannot read private key '\(junk)': "), "\(keyError)")

        // A certificate where the key should be is not a key either.
        let swapped = try #require(throws: TLSError.self) {
            try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                  privateKeyFile: certificate.certificatePath))
        }
        #expect(swapped.kind == .privateKey)
    }

    @Test(arguments: [TestCertificate.KeyType.ecP256, .rsa2048])
    func keyOfAnotherCertificateIsRejected(otherKeyType: TestCertificate.KeyType) throws {
        let certificate = try TestCertificate.make(keyType: .ecP256)
        defer { certificate.remove() }
        let other = try TestCertificate.make(keyType: otherKeyType)
        defer { other.remove() }
        let error = try #require(throws: TLSError.self) {
            try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                  privateKeyFile: other.privateKeyPath))
        }
        #expect(error.kind == .keyMismatch)
        #expect(error.message.hasPrefix(
            "private key '\(other.privateKeyPath)' does not match certificate '\(certificate.certificatePath)'"),
            "\(error)")
        #expect(ERR_peek_error() == 0)
    }

    @Test func rsaCertificateWorks() throws {
        let certificate = try TestCertificate.make(keyType: .rsa2048)
        defer { certificate.remove() }
        let server = try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                           privateKeyFile: certificate.privateKeyPath))
        let client = try TLSContext(configuration: .client(
            verification: .certificateAuthorityFile(certificate.certificatePath)))
        let session = try handshake(server: server, client: client, serverName: "localhost")
        #expect(session.isHandshakeComplete)
    }

    @Test func missingCAFileIsExplained() throws {
        let error = try #require(throws: TLSError.self) {
            try TLSContext(configuration: .client(verification: .certificateAuthorityFile("/nonexistent/ca.pem")))
        }
        #expect(error.kind == .trustStore)
        #expect(error.message.hasPrefix("cannot read CA certificates '/nonexistent/ca.pem': "), "\(error)")
    }

    @Test func badCipherListIsExplained() throws {
        let error = try #require(throws: TLSError.self) {
            try TLSContext(configuration: TLSConfiguration(role: .client(verification: .none),
                                                           cipherList: "NO-SUCH-CIPHER"))
        }
        #expect(error.kind == .configuration)
        #expect(error.message.hasPrefix("cannot use cipher list 'NO-SUCH-CIPHER'"), "\(error)")
    }

    @Test func selfSignedCertificateIsUntrustedByTheSystemStore() throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let server = try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                           privateKeyFile: certificate.privateKeyPath))
        let client = try TLSContext(configuration: .client())
        let error = try #require(throws: TLSError.self) {
            try handshake(server: server, client: client, serverName: "localhost")
        }
        #expect(error.kind == .peerVerification)
        #expect(error.message == "TLS handshake failed: certificate verify failed (self-signed certificate)")
        #expect(ERR_peek_error() == 0)
    }

    @Test(arguments: ["localhost", "127.0.0.1"])
    func selfSignedCertificateIsTrustedAsItsOwnCA(serverName: String) throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let server = try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                           privateKeyFile: certificate.privateKeyPath))
        let client = try TLSContext(configuration: .client(
            verification: .certificateAuthorityFile(certificate.certificatePath)))
        let session = try handshake(server: server, client: client, serverName: serverName)
        #expect(session.isHandshakeComplete)
    }

    @Test(arguments: ["example.com", "127.0.0.2", "localhost.evil"])
    func trustedCertificateForAnotherHostIsRejected(serverName: String) throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        let server = try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                           privateKeyFile: certificate.privateKeyPath))
        let client = try TLSContext(configuration: .client(
            verification: .certificateAuthorityFile(certificate.certificatePath)))
        let error = try #require(throws: TLSError.self) {
            try handshake(server: server, client: client, serverName: serverName)
        }
        #expect(error.kind == .peerVerification)
        #expect(error.message.contains("mismatch"), "\(error)")
    }

    @Test func verificationOffAcceptsAnyCertificate() throws {
        let certificate = try TestCertificate.make(commonName: "not-this-host")
        defer { certificate.remove() }
        let server = try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                           privateKeyFile: certificate.privateKeyPath))
        let client = try TLSContext(configuration: .client(verification: .none))
        let session = try handshake(server: server, client: client, serverName: "localhost")
        #expect(session.isHandshakeComplete)
    }

    @Test func certificateChainFileWithIntermediateIsLoaded() throws {
        // The leaf followed by another certificate: both are read; the key matches the leaf.
        let leaf = try TestCertificate.make()
        defer { leaf.remove() }
        let other = try TestCertificate.make(commonName: "intermediate")
        defer { other.remove() }
        let chain = leaf.file("chain.pem")
        let leafPEM = try Data(contentsOf: URL(fileURLWithPath: leaf.certificatePath))
        let otherPEM = try Data(contentsOf: URL(fileURLWithPath: other.certificatePath))
        try (leafPEM + otherPEM).write(to: URL(fileURLWithPath: chain))
        let server = try TLSContext(configuration: .server(certificateChainFile: chain,
                                                           privateKeyFile: leaf.privateKeyPath))
        #expect(server.isServer)
        let client = try TLSContext(configuration: .client(verification: .certificateAuthorityFile(leaf.certificatePath)))
        let session = try handshake(server: server, client: client, serverName: "localhost")
        #expect(session.isHandshakeComplete)
    }
}
