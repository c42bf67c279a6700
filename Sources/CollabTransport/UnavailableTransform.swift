#if canImport(Glibc)
import Glibc
#endif

/// A transform standing in for one that could not be created (e.g. a TLS session when
/// OpenSSL is out of memory): it fails the first byte either way, so the connection closes
/// rather than ever falling back to plaintext.
final class UnavailableTransform: ByteStreamTransform {
    /// Why the real transform is missing.
    let reason: String

    init(reason: String) {
        self.reason = reason
    }

    func receive(ciphertext: UnsafeRawBufferPointer, plaintext: inout [UInt8]) throws {
        throw IOError(errnoCode: EPROTO, reason: "transform unavailable: \(reason)")
    }

    func send(plaintext: UnsafeRawBufferPointer, ciphertext: inout [UInt8]) throws {
        throw IOError(errnoCode: EPROTO, reason: "transform unavailable: \(reason)")
    }

    func drainOutgoing(into output: inout [UInt8]) {}
    func close(into output: inout [UInt8]) {}
}
