import Testing
@testable import CollabAuth

/// The token matrix: every way a token can be wrong, and the error it gets.
@Suite struct JWTVerifyTests {
    typealias F = TokenFixtures

    @Test func validTokenGivesItsClaimsWithDefaults() throws {
        let claims = try F.verify(F.token(payload: F.payload()))
        #expect(claims == Claims(subject: "ada", name: nil, role: .editor, documents: [.any],
                                 expiresAt: F.now + 3600, notBefore: nil, issuedAt: nil))
        #expect(claims.allows(docId: "anything"))
    }

    /// Built and signed by Python's hmac/hashlib/base64/json, independently of this code.
    static let pythonToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        + ".eyJzdWIiOiJhZGEiLCJuYW1lIjoiQWRhIExvdmVsYWNlIiwicm9sZSI6ImFkbWluIiwiZG9jcyI6WyJub3Rlcy0qIiwicGxhbnMiXSwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0"
        + ".eqPZVIu5lrsxSl9wKyMn7wWA9gBc4tGneO0sP2MgVUs"
    static let pythonClaims = Claims(subject: "ada", name: "Ada Lovelace", role: .admin,
                                     documents: [DocumentPattern("notes-*"), DocumentPattern("plans")],
                                     expiresAt: 1_700_003_600, notBefore: 1_700_000_000, issuedAt: 1_700_000_000)

    @Test func knownTokenFromAnIndependentSigner() throws {
        #expect(try F.verify(Self.pythonToken) == Self.pythonClaims)
        // Signing the same claims gives the same bytes: same member order, same encoding.
        #expect(JWT.sign(Self.pythonClaims, secret: F.secret) == Self.pythonToken)
    }

    @Test func signThenVerifyRoundTrips() throws {
        let cases = [
            Claims(subject: "u", expiresAt: F.now + 1),
            Claims(subject: "bob \"quoted\" \\ é 𝄞", name: "Bob\nNewline", role: .viewer,
                   documents: [], expiresAt: F.now + 60, notBefore: F.now - 60, issuedAt: F.now),
            Claims(subject: "carol", role: .admin,
                   documents: ["a", "b-*", "c*d"].map(DocumentPattern.init), expiresAt: Int.max),
        ]
        for claims in cases {
            let token = JWT.sign(claims, secret: F.secret)
            #expect(!token.contains("="))
            #expect(try F.verify(token) == claims)
            #expect(throws: TokenError.badSignature) {
                try JWT.verify(token, secret: try JWTSecret(bytes: F.otherSecretBytes), now: Double(F.now))
            }
        }
    }

    // MARK: - Time

    @Test func expiryHonoursFiveSecondsOfLeeway() throws {
        let now = Double(F.now)
        #expect(throws: TokenError.expired) { try F.verify(F.token(payload: F.payload(exp: F.now - 10))) }
        #expect(throws: TokenError.expired) { try F.verify(F.token(payload: F.payload(exp: F.now - 5))) }
        #expect(try F.verify(F.token(payload: F.payload(exp: F.now - 4))).expiresAt == F.now - 4)
        #expect(try F.verify(F.token(payload: F.payload(exp: F.now - 5)), now: now - 0.001).subject == "ada")
        #expect(try F.verify(F.token(payload: F.payload(exp: F.now)), now: now).subject == "ada")
        #expect(throws: TokenError.expired) { try F.verify(F.token(payload: F.payload(exp: 0))) }
        #expect(throws: TokenError.expired) { try F.verify(F.token(payload: F.payload(exp: -1))) }
        #expect(throws: TokenError.expired) { try F.verify(F.token(payload: F.payload()), now: .nan) }
        #expect(throws: TokenError.expired) { try F.verify(F.token(payload: F.payload()), now: .infinity) }
    }

    @Test func notBeforeHonoursTheSameLeeway() throws {
        #expect(throws: TokenError.notYetValid) { try F.verify(F.token(payload: F.payload(#""nbf":\#(F.now + 6)"#))) }
        #expect(throws: TokenError.notYetValid) { try F.verify(F.token(payload: F.payload(#""nbf":\#(F.now + 60)"#))) }
        #expect(try F.verify(F.token(payload: F.payload(#""nbf":\#(F.now + 5)"#))).notBefore == F.now + 5)
        #expect(try F.verify(F.token(payload: F.payload(#""nbf":\#(F.now - 100)"#))).notBefore == F.now - 100)
        #expect(throws: TokenError.self) { try F.verify(F.token(payload: F.payload(#""nbf":0"#)), now: .nan) }
    }

    @Test func sessionDeadlineIsExpiryPlusLeeway() throws {
        let claims = try F.verify(F.token(payload: F.payload()))
        #expect(claims.sessionDeadline == F.now + 3600 + 5)
        #expect(Claims(subject: "x", expiresAt: Int.max - 2).sessionDeadline == Int.max)
        // The first instant verification refuses is the deadline.
        let token = F.token(payload: F.payload())
        #expect(throws: TokenError.expired) { try F.verify(token, now: Double(claims.sessionDeadline)) }
        #expect(try F.verify(token, now: Double(claims.sessionDeadline) - 0.01) == claims)
    }

    // MARK: - Structure

    @Test func partsMustBeExactlyThreeAndNonEmpty() {
        let valid = F.token(payload: F.payload())
        let parts = valid.split(separator: ".").map(String.init)
        for broken in ["", ".", "..", "...", parts[0], parts[0] + "." + parts[1],
                       valid + "." + parts[2], valid + ".", "." + valid,
                       parts[0] + ".." + parts[2], "." + parts[1] + "." + parts[2]] {
            #expect(throws: TokenError.malformed, "\(broken)") { try F.verify(broken) }
        }
        #expect(throws: TokenError.malformed) { try F.verify(String(repeating: "a", count: JWT.maximumLength + 1)) }
    }

    @Test func algNoneIsRefusedWithOrWithoutASignature() {
        let unsigned = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "."
            + Base64URL.encode(Array(F.payload().utf8))
        #expect(throws: TokenError.malformed) { try F.verify(unsigned + ".") }
        #expect(throws: TokenError.malformed) { try F.verify(unsigned) }
        #expect(throws: TokenError.unsupportedAlgorithm("none")) {
            try F.verify(F.token(header: #"{"alg":"none","typ":"JWT"}"#, payload: F.payload()))
        }
    }

    @Test(arguments: [
        (#"{"alg":"HS384","typ":"JWT"}"#, TokenError.unsupportedAlgorithm("HS384")),
        (#"{"alg":"RS256","typ":"JWT"}"#, .unsupportedAlgorithm("RS256")),
        (#"{"alg":"hs256"}"#, .unsupportedAlgorithm("hs256")),
        (#"{"alg":"HS256 "}"#, .unsupportedAlgorithm("HS256 ")),
        (#"{"alg":"None"}"#, .unsupportedAlgorithm("None")),
        (#"{"typ":"JWT"}"#, .unsupportedAlgorithm(nil)),
        (#"{"alg":256}"#, .unsupportedAlgorithm(nil)),
        (#"{"alg":null}"#, .unsupportedAlgorithm(nil)),
        (#"{"alg":["HS256"]}"#, .unsupportedAlgorithm(nil)),
        (#"{"alg":"HS256","typ":"JWS"}"#, .unsupportedType("JWS")),
        (#"{"alg":"HS256","typ":"at+jwt"}"#, .unsupportedType("at+jwt")),
        (#"{"alg":"HS256","crit":["exp"]}"#, .unsupportedCriticalHeader),
        (#"{"alg":"HS256","alg":"none"}"#, .badJSON(.header)),
        (#"{"alg":"none","alg":"HS256"}"#, .badJSON(.header)),
        (#"["HS256"]"#, .badJSON(.header)),
        (#""HS256""#, .badJSON(.header)),
        (#"null"#, .badJSON(.header)),
        (#"{"alg":"HS256""#, .badJSON(.header)),
        (#"{"alg":"HS256"} x"#, .badJSON(.header)),
    ])
    func headerMustSayHS256(header: String, error: TokenError) {
        // Signed correctly, so only the header can be the reason.
        #expect(throws: error) { try F.verify(F.token(header: header, payload: F.payload())) }
    }

    @Test func acceptableHeaders() throws {
        for header in [#"{"alg":"HS256"}"#, #"{"typ":"JWT","alg":"HS256"}"#, #"{"alg":"HS256","typ":"jwt"}"#,
                       #"{"alg":"HS256","kid":"k1","typ":"JWT"}"#, #" { "alg" : "HS256" } "#] {
            #expect(try F.verify(F.token(header: header, payload: F.payload())).subject == "ada", "\(header)")
        }
    }

    @Test func base64MustBeStrict() {
        let valid = F.token(payload: F.payload())
        let parts = valid.split(separator: ".").map(String.init)
        func join(_ a: String, _ b: String, _ c: String) -> String { a + "." + b + "." + c }
        // Standard-alphabet characters, padding, whitespace.
        #expect(throws: TokenError.badBase64(.header)) { try F.verify(join(parts[0] + "+", parts[1], parts[2])) }
        #expect(throws: TokenError.badBase64(.header)) { try F.verify(join(parts[0] + "==", parts[1], parts[2])) }
        #expect(throws: TokenError.badBase64(.header)) { try F.verify(join(" " + parts[0], parts[1], parts[2])) }
        #expect(throws: TokenError.badBase64(.signature)) { try F.verify(join(parts[0], parts[1], parts[2] + "=")) }
        #expect(throws: TokenError.badBase64(.signature)) {
            try F.verify(join(parts[0], parts[1], parts[2] + "/"))
        }
        // A signature part of 43 characters has 2 unused bits; a non-zero one is non-canonical.
        var signature = Array(parts[2].utf8)
        #expect(signature.count == 43)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let last = alphabet.firstIndex(of: signature[42])!
        signature[42] = alphabet[last ^ 1]
        #expect(throws: TokenError.badBase64(.signature)) {
            try F.verify(join(parts[0], parts[1], String(decoding: signature, as: UTF8.self)))
        }
    }

    @Test func paddedPayloadIsRefusedEvenWhenSignedThatWay() {
        // A signer that pads: the signature covers the padded text, but padding is not base64url.
        let header = Base64URL.encode(Array(F.standardHeader.utf8))
        var json = F.payload()
        while json.utf8.count % 3 == 0 { json += " " }
        var payload = Base64URL.encode(Array(json.utf8))
        while payload.utf8.count % 4 != 0 { payload += "=" }
        #expect(payload.hasSuffix("="))
        let signingInput = header + "." + payload
        let signature = Base64URL.encode(HMACSHA256.authenticationCode(of: Array(signingInput.utf8), key: F.secretBytes))
        #expect(throws: TokenError.badBase64(.payload)) { try F.verify(signingInput + "." + signature) }
    }

    @Test func signatureMustMatch() {
        let valid = F.token(payload: F.payload())
        let parts = valid.split(separator: ".").map(String.init)
        #expect(throws: TokenError.badSignature) { try F.verify(F.token(payload: F.payload(), key: F.otherSecretBytes)) }
        // Flipping a whole sextet in the middle of the signature keeps it canonical.
        var signature = Array(parts[2].utf8)
        signature[10] = signature[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: TokenError.badSignature) {
            try F.verify(parts[0] + "." + parts[1] + "." + String(decoding: signature, as: UTF8.self))
        }
        // Truncated, too long, or a single byte.
        let code = (try? Base64URL.decode(parts[2])) ?? []
        for wrongLength in [Array(code.dropLast()), code + [0], [code[0]]] {
            #expect(throws: TokenError.badSignature) {
                try F.verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(wrongLength))
            }
        }
        // The payload of another valid token under this one's signature.
        let other = F.token(payload: F.payload(exp: F.now + 7200)).split(separator: ".").map(String.init)
        #expect(throws: TokenError.badSignature) { try F.verify(parts[0] + "." + other[1] + "." + parts[2]) }
    }

    @Test func signatureIsCheckedBeforeThePayloadIsRead() {
        let header = Base64URL.encode(Array(F.standardHeader.utf8))
        let garbage = Base64URL.encode(Array("not json".utf8))
        let forged = header + "." + garbage + "." + Base64URL.encode([UInt8](repeating: 0, count: 32))
        #expect(throws: TokenError.badSignature) { try F.verify(forged) }
        #expect(throws: TokenError.badJSON(.payload)) { try F.verify(F.token(payload: "not json")) }
    }

    // MARK: - Claims

    @Test(arguments: [
        ("[]", TokenError.badJSON(.payload)),
        (#""ada""#, .badJSON(.payload)),
        ("42", .badJSON(.payload)),
        (#"{"sub":"ada","exp":1700003600,"sub":"eve"}"#, .badJSON(.payload)),
        (#"{"sub":"ada","exp":1700003600"#, .badJSON(.payload)),
        (#"{"exp":1700003600}"#, .missingClaim("sub")),
        (#"{"sub":"ada"}"#, .missingClaim("exp")),
        (#"{}"#, .missingClaim("sub")),
        (#"{"sub":"","exp":1700003600}"#, .invalidClaim("sub")),
        (#"{"sub":42,"exp":1700003600}"#, .invalidClaim("sub")),
        (#"{"sub":null,"exp":1700003600}"#, .invalidClaim("sub")),
        (#"{"sub":"\ud800","exp":1700003600}"#, .invalidClaim("sub")),
        (#"{"sub":"ada","exp":"1700003600"}"#, .invalidClaim("exp")),
        (#"{"sub":"ada","exp":1700003600.0}"#, .invalidClaim("exp")),
        (#"{"sub":"ada","exp":1.7000036e9}"#, .invalidClaim("exp")),
        (#"{"sub":"ada","exp":1700003600.5}"#, .invalidClaim("exp")),
        (#"{"sub":"ada","exp":null}"#, .invalidClaim("exp")),
        (#"{"sub":"ada","exp":99999999999999999999}"#, .invalidClaim("exp")),
        (#"{"sub":"ada","exp":1700003600,"nbf":"0"}"#, .invalidClaim("nbf")),
        (#"{"sub":"ada","exp":1700003600,"nbf":1.5}"#, .invalidClaim("nbf")),
        (#"{"sub":"ada","exp":1700003600,"iat":true}"#, .invalidClaim("iat")),
        (#"{"sub":"ada","exp":1700003600,"name":7}"#, .invalidClaim("name")),
        (#"{"sub":"ada","exp":1700003600,"role":"owner"}"#, .invalidClaim("role")),
        (#"{"sub":"ada","exp":1700003600,"role":"Admin"}"#, .invalidClaim("role")),
        (#"{"sub":"ada","exp":1700003600,"role":""}"#, .invalidClaim("role")),
        (#"{"sub":"ada","exp":1700003600,"role":null}"#, .invalidClaim("role")),
        (#"{"sub":"ada","exp":1700003600,"role":["admin"]}"#, .invalidClaim("role")),
        (#"{"sub":"ada","exp":1700003600,"docs":"notes"}"#, .invalidClaim("docs")),
        (#"{"sub":"ada","exp":1700003600,"docs":null}"#, .invalidClaim("docs")),
        (#"{"sub":"ada","exp":1700003600,"docs":["a",1]}"#, .invalidClaim("docs")),
        (#"{"sub":"ada","exp":1700003600,"docs":[["a"]]}"#, .invalidClaim("docs")),
    ])
    func payloadMustHoldValidClaims(payload: String, error: TokenError) {
        #expect(throws: error) { try F.verify(F.token(payload: payload)) }
    }

    @Test func rolesAndDefaults() throws {
        #expect(try F.verify(F.token(payload: F.payload())).role == .editor)
        for role in Role.allCases {
            #expect(try F.verify(F.token(payload: F.payload(#""role":"\#(role.rawValue)""#))).role == role)
        }
    }

    @Test func optionalClaims() throws {
        let claims = try F.verify(F.token(payload: F.payload(
            #""name":"Ada L.","iat":1699999000,"nbf":1699999000,"aud":"ignored","extra":{"x":[1,2]}"#)))
        #expect(claims.name == "Ada L.")
        #expect(claims.issuedAt == 1_699_999_000)
        #expect(claims.notBefore == 1_699_999_000)
        // An empty name counts as none, so the display falls back to user.name or sub.
        #expect(try F.verify(F.token(payload: F.payload(#""name":"""#))).name == nil)
    }

    @Test func docsClaimDecidesAccess() throws {
        let defaulted = try F.verify(F.token(payload: F.payload()))
        #expect(defaulted.documents == [.any])
        #expect(defaulted.allows(docId: "notes-1") && defaulted.allows(docId: "x"))

        let none = try F.verify(F.token(payload: F.payload(#""docs":[]"#)))
        #expect(none.documents.isEmpty)
        #expect(!none.allows(docId: "notes-1"))

        let some = try F.verify(F.token(payload: F.payload(#""docs":["plans","notes-*","a*b"]"#)))
        #expect(some.allows(docId: "plans"))
        #expect(!some.allows(docId: "plans2"))
        #expect(!some.allows(docId: "Plans"))
        #expect(some.allows(docId: "notes-"))
        #expect(some.allows(docId: "notes-2025.q1"))
        #expect(!some.allows(docId: "notes"))
        #expect(some.allows(docId: "a*b"))
        #expect(!some.allows(docId: "axb"))
        #expect(!some.allows(docId: "ab"))
        #expect(some.allows(DocumentID("notes-x")!))
        #expect(!some.allows(DocumentID("other")!))
    }
}
