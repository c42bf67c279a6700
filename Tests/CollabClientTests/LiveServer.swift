import CollabAuth
import CollabClient
import CollabServer
import CollabTransport
import Foundation
import Synchronization
import CollabTestSupport

/// A real `CollaborationServer` on 127.0.0.1 with a temporary database, restartable on the same
/// port and database, plus the client plumbing the integration tests share.
final class LiveServer {
    private let temporary: TemporaryDirectory
    /// The server's temporary directory (its database and anything a test puts beside it).
    var directory: URL { temporary.url }
    var databasePath: String { temporary.path() }
    private(set) var server: CollaborationServer?
    private(set) var port = 0
    let secret: JWTSecret?
    let clientLoops: EventLoopGroup

    init(secret: JWTSecret? = nil, configure: (inout CollaborationServerConfiguration) -> Void = { _ in }) throws {
        temporary = try TemporaryDirectory(prefix: "client-tests")
        self.secret = secret
        clientLoops = try EventLoopGroup(loopCount: 1)
        try start(configure: configure)
    }

    /// Starts a server on the database, on the port used before if there was one.
    func start(configure: (inout CollaborationServerConfiguration) -> Void = { _ in }) throws {
        var configuration = CollaborationServerConfiguration(databasePath: databasePath)
        configuration.port = port
        configuration.threads = 1
        configuration.authSecret = secret
        configuration.shutdownGracePeriod = .milliseconds(500)
        configure(&configuration)
        let started = try CollaborationServer(configuration: configuration)
        server = started
        port = started.localAddress.port
    }

    func stop() {
        server?.shutdown()
        server = nil
    }

    deinit {
        server?.shutdown()
        clientLoops.shutdown()
    }

    func url(_ document: String) -> String { "ws://127.0.0.1:\(port)/v1/docs/\(document)" }

    /// A session on `document` with fast reconnects; `clientId` default random.
    func session(_ document: String, token: String? = nil, clientId: String? = nil,
                 seed: UInt64 = 1) throws -> (DocumentSession, EventRecorder) {
        var configuration = DocumentSessionConfiguration(url: url(document), token: token)
        configuration.backoff = BackoffPolicy(base: .milliseconds(20), cap: .milliseconds(200), stableAfter: .seconds(1))
        if let clientId { configuration.clientId = clientId }
        let random = Mutex(SplitMix64(seed: seed))
        configuration.random = { random.withLock { Double.random(in: 0..<1, using: &$0) } }
        let session = try DocumentSession(configuration: configuration, eventLoop: clientLoops.next())
        return (session, EventRecorder(session.events))
    }
}

/// Collects a session's events as they arrive.
final class EventRecorder: Sendable {
    private final class Store: Sendable {
        let events = Mutex<[CollabEvent]>([])
    }

    private let store = Store()
    private let task: Task<Void, Never>

    init(_ events: AsyncStream<CollabEvent>) {
        let store = self.store
        task = Task {
            for await event in events { store.events.withLock { $0.append(event) } }
        }
    }

    deinit {
        task.cancel()
    }

    var events: [CollabEvent] { store.events.withLock { $0 } }

    var states: [ConnectionState] {
        events.compactMap { if case .connectionState(let state) = $0 { state } else { nil } }
    }

    var closeCodes: [UInt16] {
        events.compactMap { if case .error(.connectionClosed(let code, _)) = $0 { code } else { nil } }
    }
}

struct Timeout: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 10 ms until it holds; throws after `seconds` (generous: the
/// deadline only matters on a starved machine, where the blocking tests running beside these
/// can hold both cooperative threads for tens of seconds). The condition is checked once more
/// after the deadline, since a starved task may only wake after it.
func eventually(_ what: String, seconds: Double = 90, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    if await condition() { return }
    throw Timeout(description: "timed out waiting for \(what)")
}

extension DocumentSession {
    /// Whether joined with nothing unacknowledged.
    var isSettled: Bool {
        guard case .connected = connectionState else { return false }
        return pendingEdits == nil
    }
}
