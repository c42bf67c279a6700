/// A TLS session is the byte-stream stage between a connection's socket and its handler:
/// ciphertext from the socket in, plaintext to the handler out, and back.
extension TLSSession: ByteStreamTransform {
    /// Queues close_notify before the write side shuts.
    public func close(into output: inout [UInt8]) {
        shutdown(ciphertext: &output)
    }
}
