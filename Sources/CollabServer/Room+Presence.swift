import CollabOT

extension Room {
    /// Takes a `presence` (contract §2.3): rate-limits it (`rate_limited`), clamps it at its `v`, transforms it to the
    /// durable version and broadcasts it, coalesced to one per `presenceInterval`.
    func updatePresence(_ update: PresenceUpdate, from session: Session) {
        if update.selection != nil, update.version <= durableVersion,
           case .notLoaded = records(from: update.version, to: durableVersion) {
            // Made against a version older than the window: read the ops since then in,
            // holding what the client sends meanwhile, then take this presence again.
            session.hold()
            loadHistory(from: update.version) { [weak self, weak session] result in
                guard let self, let session else { return }
                session.resume {
                    // A failed read drops the selection, as a version too old to transform from does.
                    guard case .success = result else { return }
                    self.updatePresence(update, from: session)
                }
            }
            return
        }
        guard session.presenceBucket.take(at: clock.now) else {
            session.sendError(ClientMessageError(.rateLimited, "over the presence rate limit"))
            session.recordRateLimitStrike()
            return
        }
        guard update.version <= durableVersion else {
            session.sendError(ClientMessageError(
                .badMessage, "v \(update.version) is ahead of the server's \(durableVersion)"))
            return
        }
        if var selection = update.selection {
            // A selection older than the server can transform from is dropped silently.
            guard case .found(let history) = records(from: update.version, to: durableVersion) else { return }
            var lengthAtVersion = text.count - lengthChange(since: durableVersion)
            for record in history { lengthAtVersion -= record.operation.lengthChange }
            selection = selection.clamped(toLength: lengthAtVersion)
            for record in history { selection = record.operation.transform(selection: selection) }
            session.selection = selection
        } else {
            session.selection = nil
        }
        schedulePresenceBroadcast(of: session)
    }

    /// Broadcasts now if the last broadcast is at least `presenceInterval` old, else once
    /// that interval is over (with whatever selection is latest then).
    func schedulePresenceBroadcast(of session: Session) {
        guard session.presenceTimer == nil else { return }
        let now = clock.now
        if let last = session.lastPresenceSent, now - last < configuration.presenceInterval {
            session.presenceTimer = clock.schedule(after: last + configuration.presenceInterval - now) {
                [weak self, weak session] in
                guard let self, let session else { return }
                session.presenceTimer = nil
                self.broadcastPresence(of: session)
            }
        } else {
            broadcastPresence(of: session)
        }
    }

    /// Sends `session`'s current presence to every other session.
    func broadcastPresence(of session: Session) {
        guard session.isJoined else { return }
        session.lastPresenceSent = clock.now
        let state = presenceState(of: session)
        let frame = ServerMessage.presence(state).frame
        let recipients = sessions.filter { $0 !== session }
        for other in recipients { other.send(frame) }
        closeSlowConsumers(recipients)
        onLocalPresence?(state)
    }
}
