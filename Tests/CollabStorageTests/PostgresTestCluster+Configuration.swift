import CollabPostgres
import CollabTestSupport
import Foundation
import Testing

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
