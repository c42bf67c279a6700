/// The 4-byte key a client XORs over every payload it sends (RFC 6455 §5.3).
public struct WebSocketMaskingKey: Sendable, Hashable {
    /// The key bytes in wire order, packed big-endian (first wire byte is the top byte).
    public let value: UInt32

    /// Creates a key from its four wire bytes.
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        value = UInt32(b0) << 24 | UInt32(b1) << 16 | UInt32(b2) << 8 | UInt32(b3)
    }

    /// Creates a key whose wire bytes are `value` in big-endian order.
    public init(value: UInt32) {
        self.value = value
    }

    /// A fresh key from the system's cryptographic random source (getrandom on Linux).
    public static func random() -> WebSocketMaskingKey {
        var generator = SystemRandomNumberGenerator()
        return WebSocketMaskingKey(value: UInt32.random(in: .min ... .max, using: &generator))
    }

    /// The four key bytes in wire order.
    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    @inline(__always) func byte(_ index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * (index & 3)))
    }

    /// XORs the key over `buffer` in place; `phase` is the offset of `buffer[0]` within the payload.
    ///
    /// Masking and unmasking are the same operation. Works eight bytes at a time.
    public func apply(to buffer: UnsafeMutableRawBufferPointer, phase: Int = 0) {
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        // The 8-byte pattern starting at `phase`, laid out in memory order.
        var pattern: UInt64 = 0
        for j in 0..<8 { pattern |= UInt64(byte(phase + j)) << UInt64(8 * j) }
        let word = UInt64(littleEndian: pattern)
        var i = 0
        while i + 8 <= count {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            base.storeBytes(of: w ^ word, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            let p = base.advanced(by: i).assumingMemoryBound(to: UInt8.self)
            p.pointee ^= byte(phase + i)
            i += 1
        }
    }

    /// XORs the key over `bytes` in place, starting at payload offset `phase`.
    public func apply(to bytes: inout [UInt8], phase: Int = 0) {
        bytes.withUnsafeMutableBytes { apply(to: $0, phase: phase) }
    }
}
