import Foundation
import Testing

/// Starts one `PostgresTestCluster` around a whole suite and deletes it afterwards: what every
/// test target that needs PostgreSQL puts on its suites (`.postgresCluster`).
public struct PostgresClusterTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        try await PostgresTestCluster.withCluster(function)
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// A throwaway PostgreSQL cluster for the suite.
    public static var postgresCluster: PostgresClusterTrait { PostgresClusterTrait() }
}

extension PostgresTestCluster {
    /// A `postgres://` URL for the SCRAM role on `database`, with `password` (the role's
    /// own by default) percent-encoded.
    public func url(database: String = database, password: String = scramPassword) -> String {
        "postgres://\(Self.percentEncoded(Self.scramUser)):\(Self.percentEncoded(password))@127.0.0.1:\(port)/\(database)"
    }

    /// A new empty database for one test, and its URL.
    public func freshDatabaseURL() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try createDatabase(name)
        return url(database: name)
    }

    /// Every byte but ASCII letters and digits as %XX.
    public static func percentEncoded(_ text: String) -> String {
        text.utf8.map { byte in
            let scalar = Unicode.Scalar(byte)
            return byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
                ? String(scalar) : "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
        }.joined()
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
