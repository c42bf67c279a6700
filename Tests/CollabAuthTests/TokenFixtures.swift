@testable import CollabAuth

/// Raw tokens built by hand, so that tests can sign headers and payloads `JWT.sign` never makes.
enum TokenFixtures {
    /// A fixed 32-byte secret.
    static let secretBytes = Array("collab-fixture-secret-32-bytes!!".utf8)
    static let otherSecretBytes = Array("another-secret-of-thirty-two-b!!".utf8)
    // Both literals are 32 bytes, the minimum, so building them cannot fail.
    static let secret = try! JWTSecret(bytes: secretBytes)

    /// A fixed "now": 2023-11-14T22:13:20Z.
    static let now = 1_700_000_000
    static let standardHeader = #"{"alg":"HS256","typ":"JWT"}"#

    /// `header.payload.signature` with each JSON text base64url-encoded and signed with `key`.
    static func token(header: String = standardHeader, payload: String, key: [UInt8] = secretBytes) -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = HMACSHA256.authenticationCode(of: Array(signingInput.utf8), key: key)
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// A valid payload for user `ada`, expiring an hour after `now`, with `extra` members appended.
    static func payload(_ extra: String = "", exp: Int = now + 3600) -> String {
        #"{"sub":"ada","exp":\#(exp)\#(extra.isEmpty ? "" : "," + extra)}"#
    }

    static func verify(_ token: String, now: Double = Double(now)) throws(TokenError) -> Claims {
        try JWT.verify(token, secret: secret, now: now)
    }
}
