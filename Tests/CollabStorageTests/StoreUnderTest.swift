import CollabPostgresStorage
import CollabStorage
import CollabTestSupport

/// A store made for one test, with what must live as long as it (its temporary directory).
final class StoreUnderTest {
    let store: any HistoryStore
    private let directory: TemporaryDirectory?

    init(store: any HistoryStore, directory: TemporaryDirectory?) {
        self.store = store
        self.directory = directory
    }

    deinit {
        (store as? PostgresOpStore)?.close()
    }
}
