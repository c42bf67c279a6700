import Testing
@testable import CollabTransport
import CollabTestSupport

@Suite struct Base64Tests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func rfc4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
        let unpadded = String(encoded.filter { $0 != "=" })
        #expect(Base64.encode(Array(plain.utf8), alphabet: .url, padding: .forbidden) == unpadded)
        #expect(try Base64.decode(unpadded, alphabet: .url, padding: .forbidden) == Array(plain.utf8))
    }

    @Test func urlAlphabet() throws {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.encode(bytes, alphabet: .url) == "-_-_")
        #expect(try Base64.decode("-_-_", alphabet: .url) == bytes)
        #expect(throws: Base64.DecodingError.invalidCharacter(offset: 0)) { try Base64.decode("-_-_") }
        #expect(throws: Base64.DecodingError.invalidCharacter(offset: 0)) { try Base64.decode("+/+/", alphabet: .url) }
    }

    @Test(arguments: [
        ("Zg=", Base64.DecodingError.invalidPadding),        // length not a multiple of 4
        ("Zg", .invalidPadding),                              // padding required
        ("Z===", .invalidPadding), ("====", .invalidPadding), ("Zg==Zg==", .invalidPadding),
        ("Zm=v", .invalidPadding),                            // `=` in the middle
        ("Zh==", .nonCanonical), ("Zm9=", .nonCanonical),     // unused bits set
        ("Zm9v\n", .invalidPadding), ("Zm 9", .invalidCharacter(offset: 2)), ("Zm*v", .invalidCharacter(offset: 2)),
    ])
    func strictRejects(input: String, error: Base64.DecodingError) {
        #expect(throws: error) { try Base64.decode(input) }
    }

    @Test func unpaddedRejects() {
        #expect(throws: Base64.DecodingError.invalidCharacter(offset: 2)) {
            try Base64.decode("Zg==", alphabet: .url, padding: .forbidden)
        }
        #expect(throws: Base64.DecodingError.invalidPadding) { try Base64.decode("Zm9vY", alphabet: .url, padding: .forbidden) }
        #expect(throws: Base64.DecodingError.nonCanonical) { try Base64.decode("Zh", alphabet: .url, padding: .forbidden) }
    }

    @Test func randomRoundTrips() throws {
        let seed: UInt64 = 42
        var rng = SplitMix64(seed: seed)
        for iteration in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for (alphabet, padding) in [(Base64.Alphabet.standard, Base64.Padding.required), (.url, .forbidden)] {
                let text = Base64.encode(bytes, alphabet: alphabet, padding: padding)
                #expect(try Base64.decode(text, alphabet: alphabet, padding: padding) == bytes,
                        "seed \(seed) iteration \(iteration)")
            }
        }
    }

    @Test func sha1KnownAnswers() {
        #expect(hex(SHA1.hash("abc")) == "A9 99 3E 36 47 06 81 6A BA 3E 25 71 78 50 C2 6C 9C D0 D8 9D")
        #expect(hex(SHA1.hash("")) == "DA 39 A3 EE 5E 6B 4B 0D 32 55 BF EF 95 60 18 90 AF D8 07 09")
    }
}
