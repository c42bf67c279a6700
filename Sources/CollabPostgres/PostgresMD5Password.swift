import COpenSSL

/// PostgreSQL's MD5 password answer: "md5" + hex(md5(hex(md5(password + user)) + salt)).
public enum PostgresMD5Password {
    /// The PasswordMessage text for `user`/`password` and the server's 4-byte `salt`;
    /// nil only if OpenSSL cannot compute MD5 (e.g. a FIPS-only build).
    public static func response(user: String, password: String, salt: [UInt8]) -> String? {
        guard let inner = md5Hex(Array(password.utf8) + Array(user.utf8)),
              let outer = md5Hex(Array(inner.utf8) + salt) else { return nil }
        return "md5" + outer
    }

    static func md5Hex(_ data: [UInt8]) -> String? {
        var output = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        guard EVP_Digest(data, data.count, &output, &length, EVP_md5(), nil) == 1, length == 16 else { return nil }
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for byte in output {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
