/// The counts a rope node caches for its whole subtree.
struct RopeSummary: Sendable, Hashable {
    /// UTF-8 bytes.
    var utf8: Int
    /// Unicode scalar values.
    var scalars: Int
    /// Line feeds (U+000A).
    var newlines: Int

    /// Nothing.
    static let zero = RopeSummary(utf8: 0, scalars: 0, newlines: 0)

    init(utf8: Int, scalars: Int, newlines: Int) {
        self.utf8 = utf8
        self.scalars = scalars
        self.newlines = newlines
    }

    /// Counts valid UTF-8 `bytes`.
    init(of bytes: UnsafeBufferPointer<UInt8>) {
        // Branch-free counts so the loop vectorizes: every byte that is not a
        // continuation byte (0b10xx_xxxx) starts a scalar.
        var continuations = 0
        var newlines = 0
        for byte in bytes {
            continuations &+= Int((byte & 0xC0) == 0x80 ? 1 : 0)
            newlines &+= Int(byte == 0x0A ? 1 : 0)
        }
        self.init(utf8: bytes.count, scalars: bytes.count &- continuations, newlines: newlines)
    }

    /// Counts valid UTF-8 `bytes`.
    init(of bytes: ArraySlice<UInt8>) {
        self = bytes.withUnsafeBufferPointer { RopeSummary(of: $0) }
    }

    /// True when every scalar is one byte, so scalar offsets are byte offsets.
    var isASCII: Bool { utf8 == scalars }

    static func + (lhs: RopeSummary, rhs: RopeSummary) -> RopeSummary {
        RopeSummary(utf8: lhs.utf8 + rhs.utf8, scalars: lhs.scalars + rhs.scalars,
                    newlines: lhs.newlines + rhs.newlines)
    }

    static func - (lhs: RopeSummary, rhs: RopeSummary) -> RopeSummary {
        RopeSummary(utf8: lhs.utf8 - rhs.utf8, scalars: lhs.scalars - rhs.scalars,
                    newlines: lhs.newlines - rhs.newlines)
    }

    static func += (lhs: inout RopeSummary, rhs: RopeSummary) {
        lhs = lhs + rhs
    }

    static func -= (lhs: inout RopeSummary, rhs: RopeSummary) {
        lhs = lhs - rhs
    }
}
