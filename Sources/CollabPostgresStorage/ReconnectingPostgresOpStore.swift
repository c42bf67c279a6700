import CollabPostgres
import CollabStorage

/// A `PostgresOpStore` that connects on first use and again after its connection is lost.
///
/// A read that fails because the connection broke is retried once on a fresh connection
/// (reads are idempotent; the first use of a connection that PostgreSQL dropped during a
/// restart fails this way). After a failed connect, further attempts wait `cooldown`, so a
/// caller polling while PostgreSQL is down fails fast instead of waiting on a connect each time.
/// Used from one thread at a time, like the connection.
public final class ReconnectingPostgresOpStore: OpStore {
    /// Where it connects.
    public let configuration: PostgresConfiguration
    /// How long after a failed connect the next attempt is refused without trying.
    public var cooldown: Duration
    /// Statements run on each new connection (session settings).
    public var sessionSetup: [String] = []
    private var store: PostgresOpStore?
    private var lastFailedConnect: ContinuousClock.Instant?

    /// A store that connects to `configuration` when first used (`store` if already connected).
    public init(configuration: PostgresConfiguration, store: PostgresOpStore? = nil, cooldown: Duration = .seconds(1)) {
        self.configuration = configuration
        self.store = store
        self.cooldown = cooldown
    }

    /// The connected store, connecting now if needed.
    public func connected() throws(StorageError) -> PostgresOpStore {
        if let store, !store.connection.isClosed { return store }
        store = nil
        let now = ContinuousClock.now
        if let lastFailedConnect, now - lastFailedConnect < cooldown {
            throw .database(code: nil, message: "PostgreSQL at \(configuration.host):\(configuration.port) is unreachable; retrying shortly")
        }
        do {
            let connection = try PostgresConnection.connect(configuration)
            for statement in sessionSetup { try connection.query(statement) }
            let opened = PostgresOpStore(connection: connection)
            store = opened
            lastFailedConnect = nil
            return opened
        } catch {
            lastFailedConnect = now
            throw PostgresOpStore.storageError(error)
        }
    }

    /// Whether the last use left a usable connection.
    public var isConnected: Bool { store.map { !$0.connection.isClosed } ?? false }

    /// Drops the connection (the next use reconnects).
    public func disconnect() {
        store?.close()
        store = nil
    }

    /// Ends the session.
    public func close() { disconnect() }

    /// Runs `body` on the store; once more on a fresh connection if the connection broke.
    public func withStore<T>(_ body: (PostgresOpStore) throws(StorageError) -> T) throws(StorageError) -> T {
        let first = try connected()
        do {
            return try body(first)
        } catch {
            guard first.connection.isClosed else { throw error }
            store = nil
            return try body(try connected())
        }
    }

    // MARK: - OpStore

    public func append(_ records: [OpRecord]) throws(StorageError) {
        // Not retried: after a lost connection the outcome is unknown (the caller decides).
        try connected().append(records)
    }

    public func saveSnapshot(_ snapshot: Snapshot) throws(StorageError) {
        try withStore { store throws(StorageError) in try store.saveSnapshot(snapshot) }
    }

    public func ops(doc: String, from version: Int, limit: Int) throws(StorageError) -> [OpRecord] {
        try withStore { store throws(StorageError) in try store.ops(doc: doc, from: version, limit: limit) }
    }

    public func op(doc: String, clientId: String, seq: Int) throws(StorageError) -> OpRecord? {
        try withStore { store throws(StorageError) in try store.op(doc: doc, clientId: clientId, seq: seq) }
    }

    public func client(doc: String, clientId: String) throws(StorageError) -> ClientRecord? {
        try withStore { store throws(StorageError) in try store.client(doc: doc, clientId: clientId) }
    }

    public func latestSnapshot(doc: String, atOrBefore version: Int?) throws(StorageError) -> Snapshot? {
        try withStore { store throws(StorageError) in try store.latestSnapshot(doc: doc, atOrBefore: version) }
    }

    public func documentInfo(doc: String) throws(StorageError) -> DocumentInfo? {
        try withStore { store throws(StorageError) in try store.documentInfo(doc: doc) }
    }

    public func listDocuments() throws(StorageError) -> [DocumentInfo] {
        try withStore { store throws(StorageError) in try store.listDocuments() }
    }

    public func currentVersion(doc: String) throws(StorageError) -> Int {
        try withStore { store throws(StorageError) in try store.currentVersion(doc: doc) }
    }

    public func horizon(doc: String) throws(StorageError) -> Int {
        try withStore { store throws(StorageError) in try store.horizon(doc: doc) }
    }

    public func version(doc: String, atOrBefore ts: Int64) throws(StorageError) -> Int {
        try withStore { store throws(StorageError) in try store.version(doc: doc, atOrBefore: ts) }
    }
}

@available(*, unavailable)
extension ReconnectingPostgresOpStore: Sendable {}
