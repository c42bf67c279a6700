/// Immutable bytes that many connections can queue at once without copying: encode a
/// message once, write the same `SharedBytes` to every recipient.
public final class SharedBytes: @unchecked Sendable {
    // @unchecked Sendable is sound: the memory is written only inside `init` and never
    // mutated afterwards; it is freed in `deinit`, when no reference (and no queued
    // write) remains. Concurrent readers of immutable memory are safe.
    private let base: UnsafeMutableRawPointer
    /// Number of bytes.
    public let count: Int

    /// Copies `bytes` once.
    public convenience init(_ bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// Allocates `count` bytes and lets `initializer` write them (e.g. a frame header and payload).
    public init(count: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) -> Void) {
        self.count = max(count, 0)
        base = .allocate(byteCount: max(self.count, 1), alignment: 16)
        initializer(UnsafeMutableRawBufferPointer(start: base, count: self.count))
    }

    deinit {
        base.deallocate()
    }

    /// Read access to the bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A copy of the bytes as an array.
    public var array: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Start of the bytes, for `iovec`s; valid while `self` is alive.
    var baseAddress: UnsafeRawPointer { UnsafeRawPointer(base) }
}
