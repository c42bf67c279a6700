import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import Dispatch

/// A loop's PostgreSQL session on a queue of its own, for the reads a room would otherwise wait
/// for on its loop: the once-a-second look at the active documents' stored versions (one
/// query for all), loading documents, and every read a room makes (`RoomStorage`). Completions run on the session's queue; callers hop back to their loop.
final class BackgroundStoreSession: Sendable {
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
        run({ store throws(StorageError) in try store.currentVersions(docs: documents) }) { result in
            completion((try? result.get()) ?? [:])
        }
    }

    /// `body` run on the session's queue with its store (reconnected if PostgreSQL dropped
    /// it), its result passed to `completion` there.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresOpStore) throws(StorageError) -> T,
                completion: @escaping @Sendable (Result<T, StorageError>) -> Void) {
        queue.async { [session] in
            do throws(StorageError) {
                completion(.success(try session.store.withStore(body)))
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// `documentId` as a room loads it, passed to `completion` on the session's queue.
    func load(_ documentId: String,
              completion: @escaping @Sendable (Result<RoomStorage.LoadedDocument, StorageError>) -> Void) {
        run({ store throws(StorageError) in try RoomStorage.load(documentId, from: store) }, completion: completion)
    }
}
