import CollabPostgres
import CollabPostgresStorage
import CollabStorage
import Dispatch

/// A loop's PostgreSQL session on a queue of its own, for the reads a room would otherwise wait
/// for on its loop: the once-a-second look at the active documents' stored versions (one
/// query for all), and what a join needs (the stored head, the client's row, its join
/// generation). Completions run on the session's queue; callers hop back to their loop.
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
        queue.async { [session] in
            let heads = (try? session.store.withStore { store throws(StorageError) in
                try store.currentVersions(docs: documents)
            }) ?? [:]
            completion(heads)
        }
    }

    /// What a join of `clientId` on `doc` needs from the store, or nil if it cannot be read
    /// (the join then reads on the loop and reports the failure as usual).
    func prefetchJoin(doc: String, clientId: String, completion: @escaping @Sendable (JoinPrefetch?) -> Void) {
        queue.async { [session] in
            let prefetch = try? session.store.withStore { store throws(StorageError) -> JoinPrefetch in
                let head = try store.currentVersion(doc: doc)
                let client = try store.client(doc: doc, clientId: clientId).map {
                    StoredClient(sub: $0.user, highestSeq: $0.highestSeq, highestSeqVersion: $0.highestVersion)
                }
                let generation = try store.claimJoin(doc: doc, clientId: clientId)
                return JoinPrefetch(storedVersion: head, client: client, generation: generation)
            }
            completion(prefetch)
        }
    }

    /// Every op of `doc` from `version` on, passed to `completion` on the session's queue.
    func ops(of doc: String, from version: Int,
             completion: @escaping @Sendable (Result<[CollabStorage.OpRecord], StorageError>) -> Void) {
        queue.async { [session] in
            do throws(StorageError) {
                completion(.success(try session.store.withStore { store throws(StorageError) in
                    try store.ops(doc: doc, from: version, limit: Int(Int32.max))
                }))
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// `documentId` as a room loads it, passed to `completion` on the session's queue.
    func load(_ documentId: String,
              completion: @escaping @Sendable (Result<RoomStorage.LoadedDocument, StorageError>) -> Void) {
        queue.async { [session] in
            do throws(StorageError) {
                completion(.success(try session.store.withStore { store throws(StorageError) in
                    try RoomStorage.load(documentId, from: store)
                }))
            } catch {
                completion(.failure(error))
            }
        }
    }
}
