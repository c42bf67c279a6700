import Glibc

/// The server's token-signing key: at least 32 bytes, read from a file or from the value of
/// `COLLAB_AUTH_SECRET`, never from a command-line literal (which `ps` would show).
public struct JWTSecret: Sendable, Hashable, CustomStringConvertible {
    /// The shortest secret accepted: 256 bits, the size of an HS256 code (RFC 7518 §3.2).
    public static let minimumByteCount = 32
    /// The largest secret file read; anything bigger is surely the wrong file.
    public static let maximumByteCount = 64 * 1024
    /// The environment variable holding the secret when no file is named.
    public static let environmentVariable = "COLLAB_AUTH_SECRET"

    /// The key bytes.
    public let bytes: [UInt8]

    /// A secret made of `bytes`, as is.
    public init(bytes: [UInt8]) throws(JWTSecretError) {
        guard bytes.count >= Self.minimumByteCount else { throw .tooShort(byteCount: bytes.count) }
        self.bytes = bytes
    }

    /// A secret made of the UTF-8 bytes of an environment value, as is.
    public init(environmentValue: String) throws(JWTSecretError) {
        try self.init(bytes: Array(environmentValue.utf8))
    }

    /// The secret in the file at `path`, without its trailing line ending(s) (`\n`, `\r\n`),
    /// which editors and `echo` add.
    public init(contentsOfFile path: String) throws(JWTSecretError) {
        var contents = try Self.readFile(path)
        while let last = contents.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            contents.removeLast()
        }
        try self.init(bytes: contents)
    }

    /// The configured secret: the file at `secretFile` if given, else the environment's
    /// `COLLAB_AUTH_SECRET` if set (an empty value counts as set, and is too short);
    /// nil when neither is, meaning open mode for the server.
    public static func configured(secretFile: String?, environment: [String: String]) throws(JWTSecretError) -> JWTSecret? {
        if let secretFile {
            return try JWTSecret(contentsOfFile: secretFile)
        }
        if let value = environment[environmentVariable] {
            return try JWTSecret(environmentValue: value)
        }
        return nil
    }

    /// Says how long the secret is, never what it is, so logging it leaks nothing.
    public var description: String { "JWTSecret(\(bytes.count) bytes)" }

    private static func readFile(_ path: String) throws(JWTSecretError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: errorText(errno)) }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: errorText(errno))
            }
            if count == 0 { return contents }
            contents += chunk[..<count]
            // Bounded so that a path like /dev/zero fails instead of filling memory.
            guard contents.count <= maximumByteCount else { throw .tooLong(path: path) }
        }
    }

    private static func errorText(_ code: Int32) -> String {
        strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
