import Testing
@testable import CollabTransport
import CollabTestSupport

@Suite struct UTF8ValidatorTests {
    @Test(arguments: [
        ([0x7F], true), ([0xC2, 0x80], true), ([0xDF, 0xBF], true), ([0xE0, 0xA0, 0x80], true),
        ([0xEF, 0xBF, 0xBF], true), ([0xF0, 0x90, 0x80, 0x80], true), ([0xF4, 0x8F, 0xBF, 0xBF], true),
        ([0xED, 0x9F, 0xBF], true),                            // U+D7FF, just below the surrogates
        ([0xC0, 0x80], false), ([0xC1, 0xBF], false),          // overlong 2-byte
        ([0xE0, 0x80, 0x80], false), ([0xE0, 0x9F, 0xBF], false), // overlong 3-byte
        ([0xF0, 0x80, 0x80, 0x80], false), ([0xF0, 0x8F, 0xBF, 0xBF], false), // overlong 4-byte
        ([0xED, 0xA0, 0x80], false), ([0xED, 0xBF, 0xBF], false), // surrogates
        ([0xF4, 0x90, 0x80, 0x80], false), ([0xF5, 0x80, 0x80, 0x80], false), ([0xFF], false), // > U+10FFFF
        ([0x80], false), ([0x41, 0xBF], false),                // stray continuation
        ([0xC2], false), ([0xE1, 0x80], false),                // truncated at the end
    ] as [([UInt8], Bool)])
    func knownSequences(bytes: [UInt8], valid: Bool) {
        #expect(UTF8Validator.isValid(bytes) == valid, "\(hex(bytes))")
    }

    @Test func failsAtTheFirstBadByteAndStaysFailed() {
        var v = UTF8Validator()
        let first = v.validate(Array("héllo".utf8))
        let second = v.validate([0x41, 0xC0, 0x80])
        #expect(first && !second && !v.isValidSoFar)
        let third = v.validate([0x41])
        #expect(!third)
    }

    @Test func truncatedScalarAcrossChunksIsFineUntilTheEnd() {
        var v = UTF8Validator()
        let first = v.validate([0xF0, 0x9F])
        #expect(first && !v.isComplete)
        let second = v.validate([0x98, 0x80])
        #expect(second && v.isComplete)
    }

    /// Agrees with the standard library on random byte strings, whole and split at random.
    @Test func agreesWithStandardLibrary() {
        let seed: UInt64 = 0xC0FFEE
        var rng = SplitMix64(seed: seed)
        let pieces: [[UInt8]] = [[0x41], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80],
                                 Array("plain ascii text".utf8)]
        for iteration in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                if Int.random(in: 0..<6, using: &rng) == 0 {
                    bytes.append(UInt8.random(in: 0...255, using: &rng))
                } else {
                    bytes += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
                }
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(UTF8Validator.isValid(bytes) == expected, "seed \(seed) iteration \(iteration): \(hex(bytes))")
            var split = UTF8Validator()
            let cut = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            let ok = split.validate(Array(bytes[..<cut])) && split.validate(Array(bytes[cut...])) && split.isComplete
            #expect(ok == expected, "seed \(seed) iteration \(iteration) cut \(cut): \(hex(bytes))")
        }
    }
}
