import CollabTestSupport

/// Random texts for the rope tests, on SplitMix64 so every test is repeatable from its seed.
struct RopeTestGenerator: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 {
        generator.next()
    }

    /// A random integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// Random text of exactly `scalars` Unicode scalars, drawn from `alphabet`.
    mutating func text(scalars: Int, from alphabet: [String]) -> String {
        var result = String.UnicodeScalarView()
        var produced = 0
        while produced < scalars {
            let piece = alphabet[int(in: 0...(alphabet.count - 1))].unicodeScalars
            for scalar in piece.prefix(scalars - produced) {
                result.append(scalar)
                produced += 1
            }
        }
        return String(result)
    }

    /// Plain ASCII with line feeds.
    static let ascii: [String] = ["a", "b", "c", "x", "y", "z", " ", "\n", "Hello", "0123456789"]

    /// Multi-byte scalars and clusters: emoji with ZWJ and skin tones, combining marks,
    /// CJK, CRLF, four-byte scalars, plus some ASCII.
    static let mixed: [String] = [
        "a", " ", "\n", "\r\n", "é", "e\u{301}", "日本語", "中", "👩‍👩‍👧‍👦", "👍🏽", "🇫🇷",
        "ü", "Ω", "𝄞", "\u{10FFFF}", "x", "Z", "ﷺ", "a\u{308}\u{323}",
    ]
}
