/// Everything a connection carries when it moves to another event loop.
/// If the receiving loop never adopts it (shut down), the descriptor is closed on release.
final class ConnectionTransfer: @unchecked Sendable {
    // @unchecked Sendable is sound: the source loop builds this object and drops every
    // reference to its parts (descriptor, transform, queue) before passing it to
    // `EventLoop.execute`; from then on only the target loop touches it. The execute
    // queue's mutex orders the source's writes before the target's reads.
    private(set) var descriptor: CInt
    let remoteAddress: SocketAddress?
    let configuration: ConnectionConfiguration
    let pending: [(bytes: SharedBytes, offset: Int)]
    let ciphertext: [UInt8]
    let transform: (any ByteStreamTransform)?
    let leftover: [UInt8]
    let inputClosed: Bool

    init(descriptor: CInt, remoteAddress: SocketAddress?, configuration: ConnectionConfiguration,
         pending: [(bytes: SharedBytes, offset: Int)], ciphertext: [UInt8],
         transform: (any ByteStreamTransform)?, leftover: [UInt8], inputClosed: Bool) {
        self.descriptor = descriptor
        self.remoteAddress = remoteAddress
        self.configuration = configuration
        self.pending = pending
        self.ciphertext = ciphertext
        self.transform = transform
        self.leftover = leftover
        self.inputClosed = inputClosed
    }

    /// Takes ownership of the descriptor.
    func takeDescriptor() -> CInt {
        let fd = descriptor
        descriptor = -1
        return fd
    }

    deinit {
        if descriptor >= 0 { Syscall.close(descriptor) }
    }
}
