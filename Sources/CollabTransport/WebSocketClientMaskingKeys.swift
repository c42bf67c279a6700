#if canImport(Glibc)
import Glibc
#endif

/// Masking keys for outgoing client frames, drawn from the system CSPRNG 64 at a time, so a
/// busy client makes one `getentropy` call per 64 frames instead of one per frame.
struct WebSocketClientMaskingKeys {
    private var keys: [UInt32] = []
    private var next = 0

    /// The next unpredictable key (RFC 6455 §5.3).
    mutating func take() -> WebSocketMaskingKey {
        if next == keys.count { refill() }
        defer { next += 1 }
        return WebSocketMaskingKey(value: keys[next])
    }

    private mutating func refill() {
        if keys.isEmpty { keys = [UInt32](repeating: 0, count: 64) }
        var generator = SystemRandomNumberGenerator()
        keys.withUnsafeMutableBytes { raw in
            // getentropy fills at most 256 bytes per call: exactly 64 keys.
            if getentropy(raw.baseAddress, raw.count) != 0 {
                for i in stride(from: 0, to: raw.count, by: 4) {
                    raw.storeBytes(of: UInt32.random(in: .min ... .max, using: &generator),
                                   toByteOffset: i, as: UInt32.self)
                }
            }
        }
        next = 0
    }
}
