import COpenSSL
import Testing
@testable import CollabTransport
import CollabTestSupport

/// A server session and a client session joined by two in-memory wires.
private final class TLSPair {
    let server: TLSSession
    let client: TLSSession
    var serverReceived: [UInt8] = []
    var clientReceived: [UInt8] = []
    var toServer: [UInt8] = []
    var toClient: [UInt8] = []

    init(server: TLSContext, client: TLSContext, serverName: String? = "localhost") throws {
        self.server = try TLSSession(context: server)
        self.client = try TLSSession(context: client, serverName: serverName)
    }

    /// Carries ciphertext both ways, `chunkSize` bytes per `receive`, until neither side has
    /// anything left to say.
    func pump(chunkSize: Int = .max) throws {
        for _ in 0..<100_000 {
            client.drainOutgoing(into: &toServer)
            server.drainOutgoing(into: &toClient)
            if toServer.isEmpty && toClient.isEmpty { return }
            try Self.deliver(&toServer, to: server, plaintext: &serverReceived, chunkSize: chunkSize)
            try Self.deliver(&toClient, to: client, plaintext: &clientReceived, chunkSize: chunkSize)
        }
        Issue.record("the sessions kept talking")
    }

    static func deliver(_ wire: inout [UInt8], to session: TLSSession, plaintext: inout [UInt8],
                        chunkSize: Int) throws {
        defer { wire.removeAll(keepingCapacity: true) }
        try wire.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let end = offset + min(chunkSize, bytes.count - offset)
                try session.receive(ciphertext: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]),
                                    plaintext: &plaintext)
                offset = end
            }
        }
    }
}

/// SplitMix64: a tiny seeded generator so random payloads are repeatable.
private struct SeededBytes {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

private func send(_ bytes: [UInt8], from session: TLSSession, to wire: inout [UInt8]) throws {
    try bytes.withUnsafeBytes { try session.send(plaintext: $0, ciphertext: &wire) }
}

/// A server context for a fresh self-signed localhost certificate, plus that certificate.
private func serverContext() throws -> (TLSContext, TestCertificate) {
    let certificate = try TestCertificate.make()
    let context = try TLSContext(configuration: .server(certificateChainFile: certificate.certificatePath,
                                                        privateKeyFile: certificate.privateKeyPath))
    return (context, certificate)
}

private func unverifiedClient() throws -> TLSContext {
    try TLSContext(configuration: .client(verification: .none))
}

/// A client that offers at most `maxVersion` (and, for old versions, the weak settings they
/// need), built with OpenSSL directly because the public API refuses anything below TLS 1.2.
private func legacyClient(maxVersion: Int32) throws -> TLSContext {
    let context = try #require(SSL_CTX_new(TLS_client_method()))
    SSL_CTX_set_security_level(context, 0)
    #expect(SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0") == 1)
    #expect(copenssl_ctx_set_min_proto_version(context, TLS1_VERSION) == 1)
    #expect(copenssl_ctx_set_max_proto_version(context, maxVersion) == 1)
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
    return TLSContext(takingOwnershipOf: context, isServer: false, verifiesPeer: false)
}

@Suite struct TLSSessionTests {
    @Test func handshakeCompletesAndSmallMessagesRoundTrip() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        #expect(!pair.client.isHandshakeComplete)
        #expect(pair.client.hasOutgoing, "the ClientHello is ready before any input")
        #expect(pair.client.negotiatedProtocolVersion == nil)
        try pair.pump()
        #expect(pair.server.isHandshakeComplete)
        #expect(pair.client.isHandshakeComplete)
        #expect(pair.server.negotiatedProtocolVersion == "TLSv1.3")
        #expect(pair.client.negotiatedProtocolVersion == "TLSv1.3")

        try send(Array("hello server".utf8), from: pair.client, to: &pair.toServer)
        try pair.pump()
        #expect(pair.serverReceived == Array("hello server".utf8))

        try send(Array("hello client".utf8), from: pair.server, to: &pair.toClient)
        try pair.pump()
        #expect(pair.clientReceived == Array("hello client".utf8))
        #expect(!pair.server.peerClosed && !pair.client.peerClosed)
        #expect(ERR_peek_error() == 0, "success leaves nothing on the thread's error queue")
    }

    @Test func dataSentBeforeTheHandshakeIsDeliveredAfterIt() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        try send(Array("early from client".utf8), from: pair.client, to: &pair.toServer)
        try send(Array("early from server".utf8), from: pair.server, to: &pair.toClient)
        #expect(pair.toClient.isEmpty, "a server has nothing to say before the ClientHello")
        try pair.pump()
        #expect(pair.serverReceived == Array("early from client".utf8))
        #expect(pair.clientReceived == Array("early from server".utf8))
    }

    @Test func oneMegabyteRoundTripsBothWays() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        try pair.pump()
        let seed: UInt64 = 0x5EED_0001
        var random = SeededBytes(state: seed)
        let up = random.bytes(1 << 20)
        let down = random.bytes(1 << 20)
        try send(up, from: pair.client, to: &pair.toServer)
        try send(down, from: pair.server, to: &pair.toClient)
        // Records are at most 16 KiB of plaintext, so a megabyte is many records.
        #expect(pair.toServer.count > up.count + 64 * 16)
        try pair.pump()
        #expect(pair.serverReceived == up, "seed \(seed)")
        #expect(pair.clientReceived == down, "seed \(seed)")
    }

    @Test func manySmallRecordsArriveInOrder() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        try pair.pump()
        let seed: UInt64 = 0x5EED_0002
        var random = SeededBytes(state: seed)
        var expectedUp: [UInt8] = []
        var expectedDown: [UInt8] = []
        for round in 0..<2_000 {
            let up = random.bytes(1 + Int(random.next() % 64))
            let down = random.bytes(1 + Int(random.next() % 64))
            expectedUp += up
            expectedDown += down
            try send(up, from: pair.client, to: &pair.toServer)
            try send(down, from: pair.server, to: &pair.toClient)
            if round % 37 == 0 { try pair.pump() }
        }
        try pair.pump()
        #expect(pair.serverReceived == expectedUp, "seed \(seed)")
        #expect(pair.clientReceived == expectedDown, "seed \(seed)")
    }

    @Test func ciphertextFedOneByteAtATime() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        try send(Array("byte by byte".utf8), from: pair.client, to: &pair.toServer)
        try pair.pump(chunkSize: 1)
        #expect(pair.server.isHandshakeComplete && pair.client.isHandshakeComplete)
        #expect(pair.serverReceived == Array("byte by byte".utf8))
        var random = SeededBytes(state: 3)
        let payload = random.bytes(40_000)
        try send(payload, from: pair.server, to: &pair.toClient)
        try pair.pump(chunkSize: 1)
        #expect(pair.clientReceived == payload, "seed 3")
    }

    @Test func tls12ClientIsAccepted() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try legacyClient(maxVersion: TLS1_2_VERSION))
        try pair.pump()
        #expect(pair.server.negotiatedProtocolVersion == "TLSv1.2")
        try send(Array("over 1.2".utf8), from: pair.client, to: &pair.toServer)
        try pair.pump()
        #expect(pair.serverReceived == Array("over 1.2".utf8))
    }

    @Test(arguments: [TLS1_1_VERSION, TLS1_VERSION])
    func olderProtocolVersionsAreRefused(maxVersion: Int32) throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try legacyClient(maxVersion: maxVersion))
        pair.client.drainOutgoing(into: &pair.toServer)
        #expect(!pair.toServer.isEmpty, "the legacy client sent a ClientHello")
        let serverError = try #require(throws: TLSError.self) {
            try TLSPair.deliver(&pair.toServer, to: pair.server, plaintext: &pair.serverReceived,
                                chunkSize: .max)
        }
        #expect(serverError.kind == .handshake)
        #expect(serverError.message == "TLS handshake failed: unsupported protocol")
        #expect(ERR_peek_error() == 0, "the error queue is left empty")

        // The server's protocol_version alert reaches the client and fails it too.
        pair.server.drainOutgoing(into: &pair.toClient)
        #expect(!pair.toClient.isEmpty)
        let clientError = try #require(throws: TLSError.self) {
            try TLSPair.deliver(&pair.toClient, to: pair.client, plaintext: &pair.clientReceived,
                                chunkSize: .max)
        }
        #expect(clientError.message.contains("protocol version"), "\(clientError)")
        #expect(!pair.server.isHandshakeComplete)
        #expect(pair.server.negotiatedProtocolVersion == nil)
        // A failed session keeps failing the same way.
        let again = try #require(throws: TLSError.self) {
            try pair.server.receive(ciphertext: UnsafeRawBufferPointer(start: nil, count: 0),
                                    plaintext: &pair.serverReceived)
        }
        #expect(again == serverError)
    }

    @Test func closeNotifyFromClientThenServer() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        try pair.pump()
        try send(Array("last words".utf8), from: pair.client, to: &pair.toServer)
        pair.client.shutdown(ciphertext: &pair.toServer)
        let sendAfterClose = try #require(throws: TLSError.self) {
            try send(Array("too late".utf8), from: pair.client, to: &pair.toServer)
        }
        #expect(sendAfterClose.kind == .closed)
        try pair.pump()
        #expect(pair.serverReceived == Array("last words".utf8))
        #expect(pair.server.peerClosed)
        #expect(!pair.client.peerClosed)

        // The server may still finish what it was saying, then answers with its own close_notify.
        try send(Array("goodbye".utf8), from: pair.server, to: &pair.toClient)
        pair.server.shutdown(ciphertext: &pair.toClient)
        try pair.pump()
        #expect(pair.clientReceived == Array("goodbye".utf8))
        #expect(pair.client.peerClosed)

        // A second shutdown sends nothing more.
        var more: [UInt8] = []
        pair.server.shutdown(ciphertext: &more)
        #expect(more.isEmpty)
    }

    @Test func closeNotifyFromServer() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        try pair.pump()
        pair.server.shutdown(ciphertext: &pair.toClient)
        #expect(!pair.toClient.isEmpty)
        try pair.pump()
        #expect(pair.client.peerClosed)
        #expect(!pair.server.peerClosed)
        pair.client.shutdown(ciphertext: &pair.toServer)
        try pair.pump()
        #expect(pair.server.peerClosed)
    }

    @Test func shutdownBeforeTheHandshakeSendsNothing() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let session = try TLSSession(context: server)
        var out: [UInt8] = []
        session.shutdown(ciphertext: &out)
        #expect(out.isEmpty)
    }

    @Test func plainHTTPToATLSServerIsAnError() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let session = try TLSSession(context: server)
        var plaintext: [UInt8] = []
        let request = Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        let error = try #require(throws: TLSError.self) {
            try request.withUnsafeBytes { try session.receive(ciphertext: $0, plaintext: &plaintext) }
        }
        #expect(error.kind == .handshake)
        #expect(error.message.hasPrefix("TLS handshake failed: "), "\(error)")
        #expect(plaintext.isEmpty)
        #expect(ERR_peek_error() == 0)
    }

    @Test func randomGarbageNeverCrashesAServer() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        for seed: UInt64 in 1...200 {
            var random = SeededBytes(state: seed)
            var garbage = random.bytes(1 + Int(random.next() % 600))
            // Half the inputs start like a handshake record so parsing goes deeper.
            if seed % 2 == 0 { garbage.replaceSubrange(0..<min(3, garbage.count), with: [0x16, 0x03, 0x01]) }
            let session = try TLSSession(context: server)
            var plaintext: [UInt8] = []
            do {
                try garbage.withUnsafeBytes { try session.receive(ciphertext: $0, plaintext: &plaintext) }
                // A prefix of a plausible record may just wait for more; it must not complete.
                #expect(!session.isHandshakeComplete, "seed \(seed)")
            } catch let error as TLSError {
                #expect(error.kind == .handshake, "seed \(seed): \(error)")
            }
            var alert: [UInt8] = []
            session.drainOutgoing(into: &alert)
            #expect(plaintext.isEmpty, "seed \(seed)")
            #expect(ERR_peek_error() == 0, "seed \(seed)")
        }
    }

    @Test func tamperedRecordAfterTheHandshakeIsAnError() throws {
        let (server, certificate) = try serverContext()
        defer { certificate.remove() }
        let pair = try TLSPair(server: server, client: try unverifiedClient())
        try pair.pump()
        try send(Array("integrity matters".utf8), from: pair.client, to: &pair.toServer)
        pair.toServer[pair.toServer.count - 1] ^= 0x01
        let error = try #require(throws: TLSError.self) {
            try TLSPair.deliver(&pair.toServer, to: pair.server, plaintext: &pair.serverReceived,
                                chunkSize: .max)
        }
        #expect(error.kind == .protocolFailure)
        #expect(error.message == "TLS receive failed: decryption failed or bad record mac", "\(error)")
        #expect(pair.serverReceived.isEmpty)
        // The session is dead for sending too.
        let sendError = try #require(throws: TLSError.self) {
            try send(Array("x".utf8), from: pair.server, to: &pair.toClient)
        }
        #expect(sendError == error)
    }
}
