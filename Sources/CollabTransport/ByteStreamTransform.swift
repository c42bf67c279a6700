/// A stage between the socket and the handler that rewrites the byte stream in both
/// directions (TLS): wire bytes in → plaintext to the handler; plaintext out → wire bytes.
/// Used only on the connection's loop.
public protocol ByteStreamTransform: AnyObject {
    /// Consumes wire bytes from the peer; appends any plaintext they yield to `plaintext`.
    func receive(ciphertext: UnsafeRawBufferPointer, plaintext: inout [UInt8]) throws
    /// Consumes outgoing plaintext; appends the wire bytes to send to `ciphertext`.
    func send(plaintext: UnsafeRawBufferPointer, ciphertext: inout [UInt8]) throws
    /// Appends wire bytes the stage produced on its own (handshake, alerts) to `output`.
    func drainOutgoing(into output: inout [UInt8])
    /// Called before the write side shuts (e.g. to queue close_notify); appends to `output`.
    func close(into output: inout [UInt8])
}
