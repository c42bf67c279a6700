import COpenSSL
import CollabTransport

/// The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding, as
/// PostgreSQL's SASL authentication uses it. A value type: each step returns the next message.
public struct SCRAMSHA256: Sendable {
    /// The SASL mechanism name.
    public static let mechanism = "SCRAM-SHA-256"

    private enum Phase: Sendable {
        case initial
        case sentClientFirst
        case sentClientFinal(serverSignature: [UInt8])
        case done
    }

    private let username: String
    private let password: String
    private let clientNonce: String
    private var phase = Phase.initial

    /// A client for `password`. PostgreSQL ignores `username` (it uses the startup user), so it
    /// may be empty. `clientNonce` must be printable ASCII without commas; inject it in tests.
    public init(username: String, password: String, clientNonce: String) {
        self.username = username
        self.password = password
        self.clientNonce = clientNonce
    }

    /// A random 18-byte nonce in base64 (24 characters, no comma).
    public static func randomNonce() -> String {
        var bytes = [UInt8](repeating: 0, count: 18)
        if RAND_bytes(&bytes, Int32(bytes.count)) != 1 {
            // RAND_bytes fails only when the DRBG cannot seed; fall back to the system generator.
            var generator = SystemRandomNumberGenerator()
            bytes = bytes.map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        return Base64.encode(bytes)
    }

    private var clientFirstBare: String {
        // RFC 5802 5.1: '=' and ',' in the name are escaped as =3D and =2C.
        var name = ""
        for character in username {
            switch character {
            case "=": name += "=3D"
            case ",": name += "=2C"
            default: name.append(character)
            }
        }
        return "n=\(name),r=\(clientNonce)"
    }

    /// The client-first message ("n,," + bare).
    public mutating func clientFirstMessage() -> String {
        phase = .sentClientFirst
        return "n,," + clientFirstBare
    }

    /// Reads the server-first message and returns the client-final message with the proof.
    public mutating func clientFinalMessage(serverFirst: String) throws(SCRAMError) -> String {
        guard case .sentClientFirst = phase else { throw .unexpectedMessage("server-first") }
        let attributes = Self.attributes(serverFirst)
        if let error = attributes["e"] { throw .serverError(error) }
        guard let nonce = attributes["r"] else { throw .malformedServerMessage("no nonce") }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else { throw .nonceMismatch }
        guard let saltText = attributes["s"], let salt = try? Base64.decode(saltText) else {
            throw .malformedServerMessage("no salt or bad base64")
        }
        guard let iterationText = attributes["i"], let iterations = Int32(iterationText), iterations > 0 else {
            throw .malformedServerMessage("no iteration count or a bad one")
        }
        let saltedPassword = try Self.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = try Self.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = try Self.sha256(clientKey)
        let finalWithoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(finalWithoutProof)".utf8)
        let clientSignature = try Self.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = try Self.hmac(key: saltedPassword, Array("Server Key".utf8))
        phase = .sentClientFinal(serverSignature: try Self.hmac(key: serverKey, authMessage))
        return "\(finalWithoutProof),p=\(Base64.encode(proof))"
    }

    /// Checks the server-final message's signature; throws unless the server proved it knows
    /// the password.
    public mutating func verifyServerFinal(_ serverFinal: String) throws(SCRAMError) {
        guard case .sentClientFinal(let expected) = phase else { throw .unexpectedMessage("server-final") }
        let attributes = Self.attributes(serverFinal)
        if let error = attributes["e"] { throw .serverError(error) }
        guard let text = attributes["v"], let signature = try? Base64.decode(text) else {
            throw .malformedServerMessage("no verifier")
        }
        // Not secret-dependent timing that matters: the signature is the server's to prove.
        guard signature == expected else { throw .serverSignatureMismatch }
        phase = .done
    }

    /// True once the server's signature verified.
    public var isComplete: Bool {
        if case .done = phase { return true }
        return false
    }

    private static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: equals) == 1 else {
                continue
            }
            let key = String(part[..<equals])
            if result[key] == nil { result[key] = String(part[part.index(after: equals)...]) }
        }
        return result
    }

    private static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int32) throws(SCRAMError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        let ok = password.withUnsafeBufferPointer { passwordBytes in
            salt.withUnsafeBufferPointer { saltBytes in
                passwordBytes.withMemoryRebound(to: CChar.self) { passwordChars in
                    PKCS5_PBKDF2_HMAC(passwordChars.baseAddress, Int32(password.count), saltBytes.baseAddress,
                                      Int32(salt.count), iterations, EVP_sha256(), 32, &output)
                }
            }
        }
        guard ok == 1 else { throw .cryptoFailure("PBKDF2") }
        return output
    }

    static func hmac(key: [UInt8], _ data: [UInt8]) throws(SCRAMError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let result = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &output, &length)
        guard result != nil, length == 32 else { throw .cryptoFailure("HMAC") }
        return output
    }

    static func sha256(_ data: [UInt8]) throws(SCRAMError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_Digest(data, data.count, &output, &length, EVP_sha256(), nil) == 1, length == 32 else {
            throw .cryptoFailure("SHA-256")
        }
        return output
    }
}
