import CollabPostgres
import CollabTestSupport
import Foundation
import Testing

/// Starts one `PostgresTestCluster` around a whole suite and deletes it afterwards.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        try await PostgresTestCluster.withCluster(function)
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// A throwaway PostgreSQL cluster for the suite.
    static var postgresCluster: PostgresClusterTrait { PostgresClusterTrait() }
}

extension PostgresTestCluster {
    /// A configuration for the SCRAM role on `database` of this cluster.
    func configuration(database: String = database) -> PostgresConfiguration {
        PostgresConfiguration(host: "127.0.0.1", port: port, user: Self.scramUser, password: Self.scramPassword,
                              database: database, connectTimeout: .seconds(10))
    }

    /// A new empty database for one test, and a configuration for it.
    func freshDatabase() throws -> PostgresConfiguration {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try createDatabase(name)
        return configuration(database: name)
    }
}
