import Foundation
import Testing
@testable import CollabAuth

@Suite struct JWTSecretTests {
    /// Writes `bytes` to a fresh temporary file and returns its path.
    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("collab-secret-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let thirtyTwo = Array("0123456789abcdef0123456789abcdef".utf8)

    @Test func lengthLimit() throws {
        #expect(throws: JWTSecretError.tooShort(byteCount: 31)) { try JWTSecret(bytes: Array(Self.thirtyTwo.dropLast())) }
        #expect(throws: JWTSecretError.tooShort(byteCount: 0)) { try JWTSecret(environmentValue: "") }
        #expect(try JWTSecret(bytes: Self.thirtyTwo).bytes == Self.thirtyTwo)
        // Bytes, not characters: 16 two-byte characters are enough.
        #expect(try JWTSecret(environmentValue: String(repeating: "é", count: 16)).bytes.count == 32)
        #expect(throws: JWTSecretError.tooShort(byteCount: 30)) {
            try JWTSecret(environmentValue: String(repeating: "é", count: 15))
        }
    }

    @Test func fileLosesItsTrailingLineEndingOnly() throws {
        for (contents, expected) in [
            (Self.thirtyTwo + [0x0a], Self.thirtyTwo),
            (Self.thirtyTwo + [0x0d, 0x0a], Self.thirtyTwo),
            (Self.thirtyTwo + [0x0a, 0x0a], Self.thirtyTwo),
            (Self.thirtyTwo, Self.thirtyTwo),
            ([0x20] + Self.thirtyTwo + [0x20, 0x0a], [0x20] + Self.thirtyTwo + [0x20]),
        ] {
            let path = try Self.temporaryFile(contents)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(try JWTSecret(contentsOfFile: path).bytes == expected)
        }
        // 31 bytes and a newline is still too short.
        let path = try Self.temporaryFile(Array(Self.thirtyTwo.dropLast()) + [0x0a])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: JWTSecretError.tooShort(byteCount: 31)) { try JWTSecret(contentsOfFile: path) }
    }

    @Test func unreadableAndOversizedFiles() throws {
        #expect(throws: JWTSecretError.unreadable(path: "/nonexistent/secret", reason: "No such file or directory")) {
            try JWTSecret(contentsOfFile: "/nonexistent/secret")
        }
        #expect(throws: JWTSecretError.self) { try JWTSecret(contentsOfFile: FileManager.default.temporaryDirectory.path) }
        let big = try Self.temporaryFile([UInt8](repeating: 0x41, count: JWTSecret.maximumByteCount + 1))
        defer { try? FileManager.default.removeItem(atPath: big) }
        #expect(throws: JWTSecretError.tooLong(path: big)) { try JWTSecret(contentsOfFile: big) }
    }

    @Test func configuredPrefersTheFile() throws {
        let fileSecret = Array("file-secret-file-secret-file-secret".utf8)
        let path = try Self.temporaryFile(fileSecret + [0x0a])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["COLLAB_AUTH_SECRET": "environment-secret-environment-secret"]
        #expect(try JWTSecret.configured(secretFile: path, environment: environment)?.bytes == fileSecret)
        #expect(try JWTSecret.configured(secretFile: nil, environment: environment)?.bytes
                == Array("environment-secret-environment-secret".utf8))
        #expect(try JWTSecret.configured(secretFile: nil, environment: ["OTHER": "x"]) == nil)
        #expect(throws: JWTSecretError.tooShort(byteCount: 5)) {
            try JWTSecret.configured(secretFile: nil, environment: ["COLLAB_AUTH_SECRET": "short"])
        }
    }

    @Test func descriptionNeverShowsTheSecret() throws {
        let secret = try JWTSecret(bytes: Self.thirtyTwo)
        #expect(secret.description == "JWTSecret(32 bytes)")
        #expect(!"\(secret)".contains("0123"))
        #expect(JWTSecretError.tooShort(byteCount: 5).description
                == "the token-signing secret has 5 bytes; at least 32 are needed")
    }
}
