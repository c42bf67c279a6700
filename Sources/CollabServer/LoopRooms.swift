import CollabPostgresStorage
import CollabStorage
import CollabTransport

/// What one event loop owns: its read connection, the rooms hashed to it and their
/// connections. Touched only on that loop (kept in a `LoopBound`).
final class LoopRooms {
    let loop: EventLoop
    let reader: any OpStore
    let writer: any OpLogWriter
    let clock: LoopClock
    let configuration: CollaborationServerConfiguration
    let metrics: ServerMetrics
    /// The other nodes of a cluster over Redis (`--pubsub`), if any.
    let cluster: ClusterPubSub?
    /// Reads for the rooms off the loop: head polls and joins (shared database only).
    let backgroundSession: BackgroundStoreSession?
    private(set) var rooms: [String: RoomEntry] = [:]
    private(set) var connections: [ObjectIdentifier: DocumentConnection] = [:]
    /// Shutting down: connections drop what clients send, so pending commits can finish.
    private(set) var isDraining = false
    /// Documents being deleted: no room loads for them until the purge is done.
    private var deleting: Set<String> = []
    /// Connections waiting for a room being loaded off the loop, by document.
    private var loadWaiters: [String: [(RoomEntry?) -> Void]] = [:]

    init(loop: EventLoop, reader: any OpStore, writer: any OpLogWriter,
         configuration: CollaborationServerConfiguration, metrics: ServerMetrics, cluster: ClusterPubSub? = nil) {
        self.loop = loop
        self.cluster = cluster
        backgroundSession = configuration.postgres.map {
            BackgroundStoreSession(configuration: $0, name: "collab.store-\(loop.index)")
        }
        self.reader = reader
        self.writer = writer
        // On PostgreSQL ops carry its time (the writer measures the offset), one timeline for all nodes.
        if let postgres = writer as? PostgresCommitWriter {
            self.clock = LoopClock(loop: loop) { [weak postgres] in postgres?.clockOffsetMilliseconds ?? 0 }
        } else {
            self.clock = LoopClock(loop: loop)
        }
        self.configuration = configuration
        self.metrics = metrics
    }

    /// The room of `documentId`, loaded if needed; a failed room is replaced. Nil (logged)
    /// if it cannot be loaded.
    func room(for documentId: String, preloaded: RoomStorage.LoadedDocument? = nil) -> RoomEntry? {
        guard !deleting.contains(documentId) else { return nil }
        if let entry = rooms[documentId] {
            guard entry.room.failure != nil else { return entry }
            unload(documentId, entry)
        }
        let storage = RoomStorage(reader: reader, writer: writer, loop: loop, log: configuration.log,
                                  background: backgroundSession)
        storage.preloaded = preloaded
        do {
            let room = try Room(documentId: documentId, store: storage, clock: clock, configuration: configuration.room)
            let metrics = self.metrics
            room.onCatchUp = { cause in
                switch cause {
                case .conflict: metrics.versionConflicts.add(1, ordering: .relaxed)
                case .storedHead: metrics.headPollCatchUps.add(1, ordering: .relaxed)
                case .notice: metrics.noticeRecordsTaken.add(1, ordering: .relaxed)
                case .noticeGap: metrics.noticeGapReads.add(1, ordering: .relaxed)
                }
            }
            let log = configuration.log
            room.onFailure = { error in log("document \(documentId) failed; its clients reconnect: \(error)") }
            let entry = RoomEntry(room: room)
            rooms[documentId] = entry
            metrics.roomsLoaded.add(1, ordering: .relaxed)
            if let cluster {
                cluster.follow(documentId)
                room.onLocalPresence = { cluster.publish(.presence($0), doc: documentId) }
                room.onLocalLeave = { cluster.publish(.leave(clientId: $0), doc: documentId) }
                room.onLocalClaim = { cluster.publish(.claimed(clientId: $0, generation: $1), doc: documentId) }
                // The other nodes answer with their rosters: who is on this document there. The
                // subscription takes effect on the subscriber's thread a moment later, and an
                // answer before it is lost: ask once it very likely holds, and once more.
                for delay in [Duration.milliseconds(100), .seconds(1)] {
                    loop.scheduleTimer(after: delay) { [weak self] in
                        guard let self, self.rooms[documentId]?.room === room else { return }
                        cluster.publish(.hello, doc: documentId)
                    }
                }
            }
            return entry
        } catch {
            configuration.log("cannot load document \(documentId): \(error)")
            return nil
        }
    }

    /// Whether `documentId` has a usable room here now (no load needed).
    func hasRoom(_ documentId: String) -> Bool {
        rooms[documentId].map { $0.room.failure == nil } ?? false
    }

    /// The room of `documentId` via `completion` on this loop: at once if loaded (or on
    /// SQLite, which loads in microseconds), else once its snapshot and ops were read off the
    /// loop (several connections arriving meanwhile share one read). Nil if it cannot be loaded.
    func loadRoom(_ documentId: String, completion: @escaping (RoomEntry?) -> Void) {
        guard let background = backgroundSession, !hasRoom(documentId), !deleting.contains(documentId) else {
            completion(room(for: documentId))
            return
        }
        let first = loadWaiters[documentId] == nil
        loadWaiters[documentId, default: []].append(completion)
        guard first else { return }
        let bound = LoopBound(self, eventLoop: loop)
        let loop = self.loop
        background.load(documentId) { result in
            loop.execute {
                let rooms = bound.value
                let waiters = rooms.loadWaiters.removeValue(forKey: documentId) ?? []
                let entry: RoomEntry?
                switch result {
                case .success(let loaded):
                    entry = rooms.room(for: documentId, preloaded: rooms.hasRoom(documentId) ? nil : loaded)
                case .failure(let error):
                    rooms.configuration.log("cannot load document \(documentId): \(error)")
                    entry = nil
                }
                for waiter in waiters { waiter(entry) }
            }
        }
    }

    /// A connection whose room was loaded after it opened joins the room's count.
    func attachRoom(_ connection: DocumentConnection, to entry: RoomEntry) {
        guard connections[ObjectIdentifier(connection)] != nil else { return }
        entry.connectionCount += 1
        entry.idleTimer?.cancel()
        entry.idleTimer = nil
    }

    /// A new connection to `entry`'s room.
    func attach(_ connection: DocumentConnection, to entry: RoomEntry?) {
        connections[ObjectIdentifier(connection)] = connection
        metrics.openConnections.add(1, ordering: .relaxed)
        guard let entry else { return }
        entry.connectionCount += 1
        entry.idleTimer?.cancel()
        entry.idleTimer = nil
    }

    /// A connection closed; the room unloads after the idle time if nobody else comes.
    func detach(_ connection: DocumentConnection, from entry: RoomEntry?) {
        guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
        metrics.openConnections.subtract(1, ordering: .relaxed)
        guard let entry else { return }
        entry.connectionCount -= 1
        if entry.connectionCount == 0 { scheduleUnload(entry, after: configuration.roomIdleTime) }
    }

    private func scheduleUnload(_ entry: RoomEntry, after delay: Duration) {
        entry.idleTimer?.cancel()
        entry.idleTimer = loop.scheduleTimer(after: delay) { [weak self, weak entry] in
            guard let self, let entry else { return }
            entry.idleTimer = nil
            let documentId = entry.room.documentId
            guard self.rooms[documentId] === entry, entry.connectionCount == 0 else { return }
            // Commits still in flight: their completions need the room; look again soon.
            if entry.room.hasPendingCommits && entry.room.failure == nil {
                self.scheduleUnload(entry, after: .milliseconds(100))
                return
            }
            self.unload(documentId, entry)
        }
    }

    private func unload(_ documentId: String, _ entry: RoomEntry) {
        guard rooms[documentId] === entry else { return }
        entry.idleTimer?.cancel()
        rooms[documentId] = nil
        metrics.roomsLoaded.subtract(1, ordering: .relaxed)
        cluster?.unfollow(documentId)
    }

    // MARK: - Other writers

    /// Starts looking, every `room.headPollInterval`, at the stored version of each room with
    /// editors, so another writer's ops reach them without anyone typing here.
    /// On a shared database the versions are read off the loop by `backgroundSession`, all documents
    /// in one query, and a room reads ops only when its document moved.
    func startHeadPolling() {
        guard let interval = configuration.room.headPollInterval else { return }
        loop.scheduleTimer(after: interval) { [weak self] in
            guard let self, !self.isDraining else { return }
            let active = self.rooms.filter { $0.value.connectionCount > 0 }
            for entry in active.values { entry.room.tickRemoteParticipants() }
            guard let poller = self.backgroundSession, !active.isEmpty else {
                for entry in active.values { entry.room.pollStoredHead() }
                self.startHeadPolling()
                return
            }
            let bound = LoopBound(self, eventLoop: self.loop)
            let loop = self.loop
            poller.heads(of: Array(active.keys)) { heads in
                loop.execute {
                    let rooms = bound.value
                    for (documentId, stored) in heads {
                        guard let entry = rooms.rooms[documentId], stored > entry.room.durableVersion else { continue }
                        entry.room.pollStoredHead(knownStored: stored)
                    }
                    rooms.startHeadPolling()
                }
            }
        }
    }

    /// Every `rosterInterval`, tells the other nodes who is on each document here, so a node
    /// that stops telling (it died) has its participants expire everywhere.
    func startRosterAnnouncements() {
        guard let cluster else { return }
        loop.scheduleTimer(after: Self.rosterInterval) { [weak self] in
            guard let self, !self.isDraining else { return }
            for (documentId, entry) in self.rooms where entry.connectionCount > 0 && entry.room.failure == nil {
                cluster.publish(.roster(entry.room.localPresence), doc: documentId)
            }
            self.startRosterAnnouncements()
        }
    }

    /// Between two rosters of a document (a third of `Room.remoteParticipantExpiry`).
    static let rosterInterval: Duration = .seconds(5)

    /// A message from another node about a document (on this loop).
    func receive(_ received: ClusterPubSub.Received) {
        let documentId = received.doc
        switch received.message {
        case .committed(let version, _, let records):
            storedHeadMoved(documentId, to: version, records: records)
        case .presence(let state):
            rooms[documentId]?.room.receiveRemotePresence(state, from: received.node)
        case .leave(let clientId):
            rooms[documentId]?.room.receiveRemoteLeave(clientId, from: received.node)
        case .roster(let states):
            rooms[documentId]?.room.receiveRoster(states, from: received.node)
        case .claimed(let clientId, let generation):
            rooms[documentId]?.room.receiveRemoteClaim(clientId, generation: generation)
        case .deleted:
            // Deleted through another node: close this node's editors (4404) and drop the room.
            guard rooms[documentId] != nil, !isDeleting(documentId) else { return }
            beginDeletion(documentId) { [weak self] in self?.endDeletion(documentId) }
        case .compacted(let horizon):
            raiseHorizon(of: documentId, to: horizon)
        case .hello:
            guard let entry = rooms[documentId], entry.room.failure == nil, !isDraining else { return }
            cluster?.publish(.roster(entry.room.localPresence), doc: documentId)
        }
    }

    /// Another node announced that `documentId` reached `version`, with the records it
    /// committed if the notice carried them: the room takes them in, in version order (see
    /// `Room.receiveCommitted`).
    func storedHeadMoved(_ documentId: String, to version: Int, records: [CollabStorage.OpRecord] = []) {
        guard !isDraining, let entry = rooms[documentId], entry.room.failure == nil,
              version > entry.room.durableVersion else { return }
        metrics.noticeCatchUps.add(1, ordering: .relaxed)
        entry.room.receiveCommitted(records, head: version)
    }

    // MARK: - History actions

    /// Runs `body` on the room of `documentId` (loaded if needed, off the loop where the store
    /// is remote; nil if it cannot be, or is being deleted). A room loaded only for this
    /// unloads after the idle time, once its commits are durable.
    func withRoom(_ documentId: String, _ body: @escaping (Room?) -> Void) {
        loadRoom(documentId) { [weak self] entry in
            body(entry?.room)
            guard let self, let entry, entry.connectionCount == 0, entry.idleTimer == nil else { return }
            self.scheduleUnload(entry, after: self.configuration.roomIdleTime)
        }
    }

    /// Whether `documentId` is being deleted.
    func isDeleting(_ documentId: String) -> Bool {
        deleting.contains(documentId)
    }

    /// Starts deleting `documentId`: no room loads for it any more, its connections are closed
    /// with 4404, and once its commits in flight are durable the room is dropped and `ready`
    /// runs (then purge the store and call `endDeletion`).
    func beginDeletion(_ documentId: String, ready: @escaping () -> Void) {
        deleting.insert(documentId)
        guard let entry = rooms[documentId] else {
            ready()
            return
        }
        entry.room.closeForDeletion()
        func dropWhenDurable() {
            if entry.room.hasPendingCommits && entry.room.failure == nil {
                loop.scheduleTimer(after: .milliseconds(5)) { dropWhenDurable() }
                return
            }
            unload(documentId, entry)
            ready()
        }
        dropWhenDurable()
    }

    /// The store no longer holds `documentId`: it may load again, from version 0.
    func endDeletion(_ documentId: String) {
        deleting.remove(documentId)
    }

    /// After a compaction to `horizon`, an open room refuses what lies below it.
    func raiseHorizon(of documentId: String, to horizon: Int) {
        rooms[documentId]?.room.raiseHorizon(to: horizon)
    }

    /// Tells the other nodes of a cluster that `documentId` was deleted here.
    func announceDeleted(_ documentId: String) {
        cluster?.publish(.deleted, doc: documentId)
    }

    /// Tells the other nodes of a cluster that `documentId` was compacted here to `horizon`.
    func announceCompacted(_ documentId: String, horizon: Int) {
        cluster?.publish(.compacted(horizon: horizon), doc: documentId)
    }

    // MARK: - Shutdown

    /// Stops taking client messages, waits (up to `deadline`) for every room's commits in
    /// flight so their acks go out, closes every connection with 1001, waits until every
    /// close frame has reached the kernel (up to `deadline`), then calls `done`.
    func drain(until deadline: ContinuousClock.Instant, done: @escaping () -> Void) {
        if !isDraining, let cluster {
            // The other nodes' editors see this node's participants leave at once.
            for (documentId, entry) in rooms {
                for state in entry.room.localPresence {
                    cluster.publish(.leave(clientId: state.clientId), doc: documentId)
                }
            }
        }
        isDraining = true
        let pending = rooms.values.contains { $0.room.hasPendingCommits && $0.room.failure == nil }
        if pending && ContinuousClock.now < deadline {
            loop.scheduleTimer(after: .milliseconds(5)) { [self] in drain(until: deadline, done: done) }
            return
        }
        for connection in connections.values {
            connection.closeForShutdown()
        }
        awaitClosed(until: deadline, done: done)
    }

    private func awaitClosed(until deadline: ContinuousClock.Instant, done: @escaping () -> Void) {
        // The peers' close replies are not awaited: the loops stop next, and a client that
        // does not read must not hold the shutdown for the close timeout.
        if connections.values.allSatisfy({ $0.queuedBytes == 0 }) || ContinuousClock.now >= deadline {
            done()
            return
        }
        loop.scheduleTimer(after: .milliseconds(5)) { [self] in awaitClosed(until: deadline, done: done) }
    }
}

@available(*, unavailable)
extension LoopRooms: Sendable {}
