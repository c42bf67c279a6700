/// The client's TLS stage: a `TLSSession` that remembers the error it failed with, so a
/// failed handshake surfaces as a `TLSError` rather than as the connection's generic EPROTO.
final class WebSocketClientTLSStage: ByteStreamTransform {
    private let session: TLSSession
    /// The first error the session threw, if any.
    private(set) var failure: TLSError?

    init(session: TLSSession) {
        self.session = session
    }

    func receive(ciphertext: UnsafeRawBufferPointer, plaintext: inout [UInt8]) throws {
        do {
            try session.receive(ciphertext: ciphertext, plaintext: &plaintext)
        } catch {
            if failure == nil { failure = error }
            throw error
        }
    }

    func send(plaintext: UnsafeRawBufferPointer, ciphertext: inout [UInt8]) throws {
        do {
            try session.send(plaintext: plaintext, ciphertext: &ciphertext)
        } catch {
            if failure == nil { failure = error }
            throw error
        }
    }

    func drainOutgoing(into output: inout [UInt8]) {
        session.drainOutgoing(into: &output)
    }

    func close(into output: inout [UInt8]) {
        session.shutdown(ciphertext: &output)
    }
}

@available(*, unavailable)
extension WebSocketClientTLSStage: Sendable {}
