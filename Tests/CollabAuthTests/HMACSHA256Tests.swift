import Testing
@testable import CollabAuth

@Suite struct HMACSHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// RFC 4231 §4 test cases (case 5 is truncated to 128 bits by the RFC itself).
    static let rfc4231: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8),
         "a3b6167473100ee06e0c796c2955552b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: 0..<rfc4231.count)
    func rfc4231KnownAnswers(index: Int) {
        let vector = Self.rfc4231[index]
        let mac = HMACSHA256.authenticationCode(of: vector.data, key: vector.key)
        #expect(mac.count == 32)
        // Case 5 gives only the first 128 bits.
        #expect(Self.hex(mac).hasPrefix(vector.mac), "RFC 4231 test case \(index + 1)")
    }

    /// The widely published jwt.io example token (secret `your-256-bit-secret`).
    @Test func jwtIOExampleSignature() {
        let signingInput = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
            + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        let mac = HMACSHA256.authenticationCode(of: Array(signingInput.utf8), key: Array("your-256-bit-secret".utf8))
        #expect(Base64URL.encode(mac) == "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    }

    @Test func emptyKeyAndMessage() {
        // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
        #expect(Self.hex(HMACSHA256.authenticationCode(of: [], key: []))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func constantTimeEquality() {
        let a: [UInt8] = Array(0..<32)
        var b = a
        #expect(HMACSHA256.constantTimeEquals(a, b))
        b[31] ^= 1
        #expect(!HMACSHA256.constantTimeEquals(a, b))
        b = a
        b[0] ^= 0x80
        #expect(!HMACSHA256.constantTimeEquals(a, b))
        #expect(!HMACSHA256.constantTimeEquals(a, Array(a.dropLast())))
        #expect(!HMACSHA256.constantTimeEquals([], a))
        #expect(HMACSHA256.constantTimeEquals([], []))
    }
}
