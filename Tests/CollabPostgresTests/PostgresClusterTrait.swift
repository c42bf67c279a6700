import Testing

/// Starts one `PostgresTestCluster` around a whole suite and deletes it afterwards.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        guard PostgresTestCluster.binariesAvailable else {
            try await function()
            return
        }
        let cluster: Result<PostgresTestCluster, PostgresTestCluster.ClusterError>
        do {
            cluster = .success(try PostgresTestCluster())
        } catch {
            cluster = .failure(PostgresTestCluster.ClusterError(description: "cannot start PostgreSQL: \(error)"))
        }
        defer { if case .success(let running) = cluster { running.stop() } }
        try await PostgresTestCluster.$current.withValue(cluster) {
            try await function()
        }
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// A throwaway PostgreSQL cluster for the suite.
    static var postgresCluster: PostgresClusterTrait { PostgresClusterTrait() }
}
