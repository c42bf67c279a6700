import Testing
@testable import CollabAuth

@Suite struct Base64URLTests {
    /// RFC 4648 §10 vectors, with padding removed.
    @Test(arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
                      ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")])
    func rfc4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func urlAlphabet() throws {
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(try Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
    }

    @Test func everyByteRoundTrips() throws {
        for length in 0...70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("="))
            #expect(try Base64URL.decode(text) == bytes, "length \(length)")
        }
    }

    @Test(arguments: [
        ("Zg==", Base64URL.DecodingError.invalidCharacter(offset: 2)),
        ("Zm8=", .invalidCharacter(offset: 3)),
        ("+/+/", .invalidCharacter(offset: 0)),
        ("Zm 9v", .invalidCharacter(offset: 2)),
        ("Zm9v\n", .invalidCharacter(offset: 4)),
        ("Z", .invalidLength),
        ("Zm9vY", .invalidLength),
        ("Zh", .nonCanonical),
        ("Zm9", .nonCanonical),
    ])
    func strictDecodingRejects(text: String, error: Base64URL.DecodingError) {
        #expect(throws: error) { try Base64URL.decode(text) }
    }
}
