import CollabPostgres
import CollabTestSupport
import Testing

extension PostgresTestCluster {
    /// A configuration for `user` on this cluster's port.
    func configuration(user: String = scramUser, password: String? = scramPassword,
                       database: String = database) -> PostgresConfiguration {
        PostgresConfiguration(host: "127.0.0.1", port: port, user: user, password: password, database: database,
                              connectTimeout: .seconds(10))
    }
}
