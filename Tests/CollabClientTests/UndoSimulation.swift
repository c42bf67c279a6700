import CollabClient
import CollabOT

/// Two `ClientDocument`s ("me", index 0, and "other", index 1) on a `SimulatedServer`, with
/// messages queued both ways so tests choose when each is delivered (and can drop connections).
final class UndoSimulation {
    final class Client {
        var document: ClientDocument
        var connection: Int?
        var toServer: [OutboundMessage] = []

        init(document: ClientDocument) {
            self.document = document
        }
    }

    let server = SimulatedServer()
    let clients: [Client]
    private var nextConnection = 1

    var me: Client { clients[0] }
    var other: Client { clients[1] }

    /// Both clients joined on an empty document; `other` then writes `text` and everything is delivered.
    init(text: String, undoGrouping: Duration = .milliseconds(500)) throws {
        clients = [
            Client(document: ClientDocument(clientId: "undo-me-0001", undoGrouping: undoGrouping)),
            Client(document: ClientDocument(clientId: "undo-other-01", undoGrouping: undoGrouping)),
        ]
        for client in clients { connect(client) }
        try deliverAll()
        if !text.isEmpty {
            var insert = TextOperation()
            insert.insert(text)
            try edit(other, insert)
            try deliverAll()
        }
    }

    func connect(_ client: Client) {
        let id = nextConnection
        nextConnection += 1
        client.connection = id
        server.open(id)
        client.toServer = [client.document.beginJoin()]
    }

    /// Drops the connection; what was queued to the server is lost (resubmitted after the join).
    func drop(_ client: Client) {
        guard let id = client.connection else { return }
        client.toServer = []
        server.close(id)
        client.connection = nil
        client.document.connectionLost()
    }

    /// A local edit by `client`, queued for the server.
    func edit(_ client: Client, _ operation: TextOperation, at time: ContinuousClock.Instant? = nil) throws {
        if let message = try client.document.applyLocal(operation, at: time) { queue(message, from: client) }
    }

    /// `client`'s undo; nil if nothing to undo.
    @discardableResult
    func undo(_ client: Client) throws -> UndoOutcome? {
        guard let (outcome, message) = try client.document.undo() else { return nil }
        if let message { queue(message, from: client) }
        return outcome
    }

    /// `client`'s redo; nil if nothing to redo.
    @discardableResult
    func redo(_ client: Client) throws -> UndoOutcome? {
        guard let (outcome, message) = try client.document.redo() else { return nil }
        if let message { queue(message, from: client) }
        return outcome
    }

    func queue(_ message: OutboundMessage, from client: Client) {
        if client.connection != nil { client.toServer.append(message) }
    }

    /// Delivers one message from `client` to the server; false if none was waiting.
    @discardableResult
    func deliverToServer(_ client: Client) throws -> Bool {
        guard let id = client.connection, !client.toServer.isEmpty else { return false }
        try server.receive(client.toServer.removeFirst(), from: id)
        return true
    }

    /// Delivers one message from the server to `client`; false if none was waiting.
    @discardableResult
    func deliverToClient(_ client: Client) throws -> Bool {
        guard let id = client.connection, var waiting = server.outgoing[id], !waiting.isEmpty else { return false }
        let message = waiting.removeFirst()
        server.outgoing[id] = waiting
        for effect in try client.document.receive(message) {
            if case .send(let reply) = effect { queue(reply, from: client) }
        }
        return true
    }

    /// Delivers everything both ways until nothing moves.
    func deliverAll() throws {
        var moved = true
        while moved {
            moved = false
            for client in clients {
                while try deliverToServer(client) { moved = true }
                while try deliverToClient(client) { moved = true }
            }
        }
    }
}
