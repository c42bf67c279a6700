import CollabJSON

/// JSON Web Tokens (RFC 7519) signed with HMAC-SHA256 (`HS256`, RFC 7518 §3.2), and nothing else.
///
/// Verification is strict, in this order, so no payload is read before its signature checks:
/// exactly three non-empty parts of unpadded base64url; a header object (no repeated member)
/// whose `alg` is exactly `HS256`, whose `typ`, if present, is `JWT` and which has no `crit`;
/// a 32-byte signature equal, in constant time, to the HMAC of the first two parts as sent;
/// then a payload object (no repeated member) with valid claims and times.
public enum JWT {
    /// Clock difference tolerated between the signer and the server, in seconds.
    public static let leewaySeconds = 5
    /// Longest token accepted, in bytes; real tokens are a few hundred.
    public static let maximumLength = 8 * 1024

    /// The header every token this server signs carries.
    private static let headerPart = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// A signed token carrying `claims`.
    public static func sign(_ claims: Claims, secret: JWTSecret) -> String {
        var payload: [UInt8] = []
        JSONWriter.write(claims.payload, into: &payload)
        let signingInput = headerPart + "." + Base64URL.encode(payload)
        let signature = HMACSHA256.authenticationCode(of: Array(signingInput.utf8), key: secret.bytes)
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The claims of `token` if it is well formed, signed with `secret` and valid at `now`
    /// (seconds since the Unix epoch; a non-finite `now` refuses every token).
    public static func verify(_ token: some StringProtocol, secret: JWTSecret, now: Double) throws(TokenError) -> Claims {
        let bytes = Array(token.utf8)
        guard bytes.count <= maximumLength else { throw .malformed }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { throw .malformed }

        let header = try object(decoding: parts[0], part: .header)
        try checkHeader(header)

        let signature = try decode(parts[2], part: .signature)
        let signingInput = bytes[..<parts[1].endIndex]
        let expected = HMACSHA256.authenticationCode(of: signingInput, key: secret.bytes)
        guard HMACSHA256.constantTimeEquals(signature, expected) else { throw .badSignature }

        let claims = try Claims(payload: object(decoding: parts[1], part: .payload))
        // Written as "not before the deadline" so that a NaN `now` fails closed.
        guard now < Double(claims.sessionDeadline) else { throw .expired }
        if let notBefore = claims.notBefore {
            let (start, overflow) = notBefore.subtractingReportingOverflow(leewaySeconds)
            guard now >= Double(overflow ? Int.min : start) else { throw .notYetValid }
        }
        return claims
    }

    private static func checkHeader(_ header: JSONObject) throws(TokenError) {
        switch header["alg"] {
        case .string("HS256")?: break
        case .string(let alg)?: throw .unsupportedAlgorithm(alg)
        default: throw .unsupportedAlgorithm(nil)
        }
        switch header["typ"] {
        case nil: break
        // Media type names are case-insensitive (RFC 7515 §4.1.9).
        case .string(let type)? where type.lowercased() == "jwt": break
        case .string(let type)?: throw .unsupportedType(type)
        case _?: throw .unsupportedType("")
        }
        // RFC 7515 §4.1.11: extensions listed in `crit` must be understood, and none are.
        guard header["crit"] == nil else { throw .unsupportedCriticalHeader }
    }

    private static func decode(_ part: ArraySlice<UInt8>, part name: TokenError.Part) throws(TokenError) -> [UInt8] {
        do {
            return try Base64URL.decode(utf8: part)
        } catch {
            throw .badBase64(name)
        }
    }

    private static func object(decoding part: ArraySlice<UInt8>, part name: TokenError.Part) throws(TokenError) -> JSONObject {
        let json = try decode(part, part: name)
        guard case .object(let object)? = try? JSONReader.parse(json, maxDepth: 8) else {
            throw .badJSON(name)
        }
        // A repeated member could be read differently by another JWT library (first or last wins).
        var keys = Set<String>()
        for member in object.members {
            guard keys.insert(member.key).inserted else { throw .badJSON(name) }
        }
        return object
    }
}
