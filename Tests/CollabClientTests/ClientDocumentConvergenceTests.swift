import CollabClient
import CollabOT
import Testing
import CollabTestSupport

/// Seeded random interleavings of edits, deliveries, connection drops and reconnects between
/// simulated clients and `SimulatedServer`: everyone converges, nothing is lost or doubled.
@Suite struct ClientDocumentConvergenceTests {
    private final class SimulatedClient {
        var document: ClientDocument
        var connection: Int?
        var toServer: [OutboundMessage] = []

        init(clientId: String) {
            document = ClientDocument(clientId: clientId)
        }
    }

    private struct Run {
        let seed: UInt64
        let insertOnly: Bool
        var random: SplitMix64
        let server = SimulatedServer()
        var clients: [SimulatedClient]
        var nextConnection = 1
        var inserted: [Unicode.Scalar] = []

        init(seed: UInt64, clients count: Int, insertOnly: Bool) {
            self.seed = seed
            self.insertOnly = insertOnly
            random = SplitMix64(seed: seed)
            clients = (0..<count).map { SimulatedClient(clientId: "client-\($0)-xyz") }
        }

        mutating func connect(_ client: SimulatedClient) {
            let id = nextConnection
            nextConnection += 1
            client.connection = id
            server.open(id)
            client.toServer = [client.document.beginJoin()]
        }

        mutating func drop(_ client: SimulatedClient) throws {
            guard let id = client.connection else { return }
            // Some of what was written may still reach the server before it sees the close.
            let delivered = random.int(0..<(client.toServer.count + 1))
            for message in client.toServer.prefix(delivered) { try server.receive(message, from: id) }
            client.toServer = []
            server.close(id)
            client.connection = nil
            client.document.connectionLost()
        }

        mutating func deliverToServer(_ client: SimulatedClient) throws {
            guard let id = client.connection, !client.toServer.isEmpty else { return }
            try server.receive(client.toServer.removeFirst(), from: id)
        }

        mutating func deliverToClient(_ client: SimulatedClient) throws {
            guard let id = client.connection, var queue = server.outgoing[id], !queue.isEmpty else { return }
            let message = queue.removeFirst()
            server.outgoing[id] = queue
            for effect in try client.document.receive(message) {
                if case .send(let outbound) = effect { client.toServer.append(outbound) }
            }
        }

        mutating func edit(_ client: SimulatedClient) throws {
            guard client.document.isEditable else { return }
            let length = client.document.text.count
            var operation = TextOperation()
            if insertOnly || length == 0 || random.chance(0.6) {
                let scalar = Unicode.Scalar(0x4E00 + inserted.count)!
                inserted.append(scalar)
                operation.retain(random.int(0..<(length + 1)))
                operation.insert(String(scalar))
            } else {
                let start = random.int(0..<length)
                let count = random.int(1..<(min(4, length - start) + 1))
                operation.retain(start)
                if random.chance(0.3) { operation.insert("r") }
                operation.delete(count)
            }
            if let message = try client.document.applyLocal(operation) { client.toServer.append(message) }
        }

        mutating func step() throws {
            let client = clients[random.int(0..<clients.count)]
            switch random.int(0..<100) {
            case 0..<30: try edit(client)
            case 30..<60: try deliverToServer(client)
            case 60..<92: try deliverToClient(client)
            case 92..<96: try drop(client)
            default: if client.connection == nil { connect(client) }
            }
        }

        mutating func settle() throws {
            for client in clients where client.connection == nil { connect(client) }
            var rounds = 0
            while clients.contains(where: { !$0.toServer.isEmpty || !(server.outgoing[$0.connection!] ?? []).isEmpty }) {
                for client in clients {
                    try deliverToServer(client)
                    try deliverToClient(client)
                }
                rounds += 1
                if rounds > 100_000 { throw SimulationFailure("does not settle") }
            }
        }
    }

    @Test(arguments: [false, true])
    func clientsConvergeUnderRandomInterleavingsAndDrops(insertOnly: Bool) {
        for seed in UInt64(1)...150 {
            var run = Run(seed: seed &* 7919 &+ (insertOnly ? 1 : 0), clients: 3, insertOnly: insertOnly)
            do {
                for client in run.clients { run.connect(client) }
                for _ in 0..<300 { try run.step() }
                try run.settle()
            } catch {
                Issue.record("seed \(run.seed): \(error)")
                continue
            }
            let expected = run.server.text
            for client in run.clients {
                #expect(client.document.text.isEqual(to: expected), "seed \(run.seed): \(client.document.clientId) diverged")
                #expect(client.document.pending.isEmpty, "seed \(run.seed): edits left unsent")
                #expect(client.document.version == run.server.version, "seed \(run.seed)")
            }
            if insertOnly {
                // Every character typed anywhere is in the document exactly once.
                #expect(expected.unicodeScalars.sorted() == run.inserted.sorted(), "seed \(run.seed): lost or doubled edits")
            }
            // Each client's ops are stored once each, in seq order.
            for client in run.clients {
                let seqs = run.server.log.filter { $0.clientId == client.document.clientId }.map(\.seq)
                #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "seed \(run.seed): \(seqs)")
            }
        }
    }
}
