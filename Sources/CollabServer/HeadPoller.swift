import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import Dispatch

/// Reads the stored head versions of a loop's active documents off the loop, in one query per
/// poll, on a database shared by several nodes: the once-a-second look for other nodes' commits
/// then costs the room's loop nothing unless a document actually moved.
final class HeadPoller: Sendable {
    /// The session, used only on `queue`.
    private final class Session: @unchecked Sendable {
        // Unchecked: every access is on the poller's serial `queue`.
        let store: ReconnectingPostgresOpStore
        init(configuration: PostgresConfiguration) {
            store = ReconnectingPostgresOpStore(configuration: configuration)
        }
    }

    private let queue: DispatchQueue
    private let session: Session

    init(configuration: PostgresConfiguration, name: String) {
        queue = DispatchQueue(label: name)
        session = Session(configuration: configuration)
    }

    /// The stored versions of `documents` (those without a row are left out; on a failed read,
    /// none), passed to `completion` on the poller's queue.
    func heads(of documents: [String], completion: @escaping @Sendable ([String: Int]) -> Void) {
        queue.async { [session] in
            let heads = (try? session.store.withStore { store throws(StorageError) in
                try store.currentVersions(docs: documents)
            }) ?? [:]
            completion(heads)
        }
    }

    /// Ends the session (after any poll in progress).
    func close() {
        queue.sync { [session] in session.store.close() }
    }
}
