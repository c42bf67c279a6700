/// The 64-bit FNV-1a hash, fed incrementally (so a rope can be hashed chunk by chunk).
///
/// Offset basis 0xcbf29ce484222325, prime 0x100000001b3, one byte at a time: XOR, then multiply.
public struct FNV1a64: Sendable {
    /// The hash of the bytes fed so far.
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    /// A hasher that has seen no bytes.
    public init() {}

    /// Feeds `bytes`.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        var hash = value
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        value = hash
    }

    /// Feeds the UTF-8 bytes of `text`.
    public mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { update($0) }
    }

    /// The hash of `text`'s UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        var hasher = FNV1a64()
        hasher.update(text)
        return hasher.value
    }
}
