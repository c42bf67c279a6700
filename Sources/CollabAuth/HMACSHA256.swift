import COpenSSL

/// HMAC-SHA256 (RFC 2104 with SHA-256) on OpenSSL, and the constant-time comparison its
/// results must be checked with.
public enum HMACSHA256 {
    /// The length of a code in bytes.
    public static let byteCount = 32

    /// The authentication code of `message` under `key`.
    public static func authenticationCode(of message: some Collection<UInt8>, key: [UInt8]) -> [UInt8] {
        let message = Array(message)
        var code = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        // An empty key or message may have no base address; OpenSSL wants a pointer anyway.
        var placeholder: UInt8 = 0
        let result = key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                code.withUnsafeMutableBufferPointer { out in
                    withUnsafeMutablePointer(to: &placeholder) { empty in
                        HMAC(EVP_sha256(), keyBytes.baseAddress ?? UnsafePointer(empty), Int32(keyBytes.count),
                             messageBytes.baseAddress ?? UnsafePointer(empty), messageBytes.count,
                             out.baseAddress, &length)
                    }
                }
            }
        }
        // With SHA-256 HMAC() fails only when memory runs out, which Swift treats as fatal too;
        // returning a made-up code instead could let a forged signature match it.
        precondition(result != nil && length == UInt32(byteCount), "OpenSSL HMAC-SHA256 failed")
        return code
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths (CRYPTO_memcmp),
    /// so a forger learns nothing from how long a rejection takes.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}
