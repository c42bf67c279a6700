import CollabOT

extension Room {
    /// A remote participant whose node has not mentioned it for this long has left (its node
    /// died or lost Redis): three missed rosters.
    static let remoteParticipantExpiry: Duration = .seconds(15)

    /// Another node's participant moved its cursor (or joined): shown to everyone here, at
    /// this room's durable version. A presence referring to a version this room has not
    /// reached is held until it has (a recipient never gets a presence ahead of its text).
    func receiveRemotePresence(_ state: PresenceState, from node: String) {
        guard failure == nil, !sessions.contains(where: { $0.clientId == state.clientId }) else { return }
        // The other node stored that version: take it in (off the loop where the store is remote).
        if state.version > durableVersion { pollStoredHead(knownStored: state.version) }
        guard state.version <= durableVersion else {
            heldRemotePresence[state.clientId] = (node, state)
            return
        }
        heldRemotePresence[state.clientId] = nil
        var current = state
        if let selection = state.selection {
            // A selection older than this room can transform from is dropped, as a local one is.
            // (Past the window: the other node is far behind; its next presence will do.)
            guard case .found(let history) = records(from: state.version, to: durableVersion) else { return }
            var transformed = selection
            for record in history { transformed = record.operation.transform(selection: transformed) }
            current.selection = transformed
        }
        current.version = durableVersion
        remoteParticipants[state.clientId] = RemoteParticipant(node: node, state: current, lastSeen: clock.now)
        let frame = ServerMessage.presence(current).frame
        let recipients = sessions
        for session in recipients { session.send(frame) }
        closeSlowConsumers(recipients)
    }

    /// A connection of `clientId` joined another node with `generation`: ours, if older, is
    /// replaced (4000), as a second connection on this node would replace it.
    func receiveRemoteClaim(_ clientId: String, generation: Int) {
        guard let local = sessions.first(where: { $0.clientId == clientId }),
              let ours = local.joinGeneration, ours < generation else { return }
        local.closeReplaced()
    }

    /// Another node's participant left: everyone here gets `leave`.
    func receiveRemoteLeave(_ clientId: String, from node: String) {
        if heldRemotePresence[clientId]?.node == node { heldRemotePresence[clientId] = nil }
        guard remoteParticipants[clientId]?.node == node else { return }
        remoteParticipants[clientId] = nil
        let frame = ServerMessage.leave(clientId: clientId).frame
        let recipients = sessions
        for session in recipients { session.send(frame) }
        closeSlowConsumers(recipients)
    }

    /// Everyone `node` has on this document now: the others of that node have left, new ones
    /// are shown, known ones stay alive.
    func receiveRoster(_ states: [PresenceState], from node: String) {
        let listed = Set(states.map(\.clientId))
        for (clientId, participant) in remoteParticipants where participant.node == node && !listed.contains(clientId) {
            receiveRemoteLeave(clientId, from: node)
        }
        for state in states {
            if var known = remoteParticipants[state.clientId], known.node == node {
                known.lastSeen = clock.now
                remoteParticipants[state.clientId] = known
            } else {
                receiveRemotePresence(state, from: node)
            }
        }
    }

    /// Expires remote participants not mentioned within `remoteParticipantExpiry` and retries
    /// held presences (called every second).
    func tickRemoteParticipants() {
        let now = clock.now
        for (clientId, participant) in remoteParticipants where now - participant.lastSeen > Self.remoteParticipantExpiry {
            receiveRemoteLeave(clientId, from: participant.node)
        }
        for (_, held) in heldRemotePresence {
            receiveRemotePresence(held.state, from: held.node)
        }
    }

    /// Moves the remote participants' selections over `records`, now durable.
    func transformRemoteSelections<Records: Collection<OpRecord>>(over records: Records) {
        for (clientId, var participant) in remoteParticipants {
            if var selection = participant.state.selection {
                for record in records { selection = record.operation.transform(selection: selection) }
                participant.state.selection = selection
            }
            participant.state.version = durableVersion
            remoteParticipants[clientId] = participant
        }
    }

    /// This node's participants, as a roster for the other nodes.
    var localPresence: [PresenceState] {
        sessions.filter(\.isJoined).map { presenceState(of: $0) }
    }
}
