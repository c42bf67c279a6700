import COpenSSL

/// SHA-1 through OpenSSL's EVP interface; used only for `Sec-WebSocket-Accept` (RFC 6455 §4.2.2).
public enum SHA1 {
    /// The 20-byte SHA-1 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha1(), nil)
            }
        }
        // EVP_Digest only fails when OpenSSL cannot allocate; SHA-1 is always compiled in.
        precondition(ok == 1 && length == 20, "EVP_Digest(SHA-1) failed")
        return digest
    }

    /// The SHA-1 digest of the UTF-8 bytes of `string`.
    public static func hash(_ string: String) -> [UInt8] {
        hash(Array(string.utf8))
    }
}
