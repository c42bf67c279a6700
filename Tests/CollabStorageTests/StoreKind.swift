import CollabPostgresStorage
import CollabStorage
import CollabTestSupport
import Testing

/// The `OpStore` implementations the conformance suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The kinds this machine can run: PostgreSQL only where its binaries are installed.
    static var available: [StoreKind] {
        PostgresTestCluster.binariesAvailable ? allCases : [.sqlite]
    }

    var testDescription: String { rawValue }

    /// A new, empty, migrated store of this kind (PostgreSQL: a fresh database on the suite's cluster).
    func makeStore() throws -> StoreUnderTest {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return StoreUnderTest(store: try SQLiteOpStore.openForWriting(path: directory.path()), directory: directory)
        case .postgres:
            let configuration = try PostgresTestCluster.running().freshDatabase()
            return StoreUnderTest(store: try PostgresOpStore.open(configuration), directory: nil)
        }
    }
}
