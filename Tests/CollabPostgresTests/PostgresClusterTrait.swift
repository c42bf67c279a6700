import CollabPostgres
import CollabTestSupport
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
    /// A configuration for `user` on this cluster's port.
    func configuration(user: String = scramUser, password: String? = scramPassword,
                       database: String = database) -> PostgresConfiguration {
        PostgresConfiguration(host: "127.0.0.1", port: port, user: user, password: password, database: database,
                              connectTimeout: .seconds(10))
    }
}
