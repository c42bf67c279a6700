import CollabClient
import CollabOT

/// The server half of the contract reduced to what the client state machine sees: transform
/// from `v`, dedupe by (clientId, seq), ack, broadcast, catch-up on join. Test-only, no I/O.
final class SimulatedServer {
    private(set) var text = ""
    private(set) var log: [RemoteOperation] = []
    private var stored: [String: [Int: Int]] = [:]  // clientId → seq → version
    /// Open connections: id → (clientId once joined).
    private var joined: [Int: String] = [:]
    /// Messages to each connection, in order.
    var outgoing: [Int: [InboundMessage]] = [:]

    var version: Int { log.count }

    func open(_ connection: Int) {
        outgoing[connection] = []
    }

    func close(_ connection: Int) {
        joined[connection] = nil
        outgoing[connection] = nil
    }

    func receive(_ message: OutboundMessage, from connection: Int) throws {
        switch message {
        case .join(let clientId, let clientVersion, _):
            if let clientVersion, clientVersion <= version {
                let catchUp = Array(log[clientVersion...])
                if !catchUp.isEmpty { outgoing[connection, default: []].append(.operations(catchUp)) }
            } else {
                outgoing[connection, default: []].append(.snapshot(version: version, text: text))
            }
            joined[connection] = clientId
            outgoing[connection, default: []].append(.joined(version: version, clientId: clientId, role: .editor, presence: []))
        case .op(let seq, let v, let operation):
            guard let clientId = joined[connection] else { throw SimulationFailure("op before join") }
            if let storedVersion = stored[clientId]?[seq] {
                outgoing[connection, default: []].append(.ack(seq: seq, version: storedVersion))
                return
            }
            guard v <= version else { throw SimulationFailure("v \(v) ahead of \(version)") }
            var transformed = operation
            for record in log[v...] {
                (_, transformed) = TextOperation.transform(record.operation, transformed)
            }
            text = try transformed.apply(to: text)
            let record = RemoteOperation(version: version, operation: transformed, clientId: clientId, seq: seq, user: clientId)
            log.append(record)
            stored[clientId, default: [:]][seq] = record.version
            outgoing[connection, default: []].append(.ack(seq: seq, version: record.version))
            for (other, _) in joined where other != connection {
                outgoing[other, default: []].append(.operations([record]))
            }
        case .presence:
            break
        }
    }
}

struct SimulationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
