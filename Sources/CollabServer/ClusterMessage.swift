import CollabJSON
import CollabOT
import CollabStorage

/// What the nodes of a cluster tell each other about a document over Redis pub/sub, on its
/// channel `collab:v1:doc:{id}`, as `{"f":1,"node":NODE,"doc":ID,"k":KIND,...}`. `f` is the
/// format: a node ignores (and counts) messages of another, so two releases can run side by
/// side during a rolling upgrade.
enum ClusterMessage: Equatable, Sendable {
    /// The node committed the document up to `version` (`"k":"commit","v":N`), published at
    /// `at` (ms on the cluster's clock, `"t"`; optional on the wire) for the lag metric, with
    /// the committed records when they were few enough (`"ops"`, ascending, possibly with gaps
    /// where another node committed: each op's stored JSON as a string, so every node serves
    /// the same bytes; empty: read them from the database).
    case committed(version: Int, at: Int64?, records: [CollabStorage.OpRecord])
    /// A participant's presence on the node, as the server's `presence` message (`"k":"presence","p":{...}`).
    case presence(PresenceState)
    /// A participant left the node (`"k":"leave","clientId":...`).
    case leave(clientId: String)
    /// Every participant the node has on the document now (`"k":"roster","p":[...]`), sent
    /// periodically: one missing from it, or a node that stops sending, has left.
    case roster([PresenceState])
    /// A node just loaded the document and asks the others for their rosters (`"k":"hello"`).
    case hello
    /// A connection of `clientId` joined the node with join generation `generation`
    /// (`"k":"claim"`): older connections of that client id elsewhere are replaced.
    case claimed(clientId: String, generation: Int)
    /// The document was deleted through the node (`"k":"deleted"`): rooms elsewhere close (4404).
    case deleted
    /// The document was compacted through the node up to `horizon` (`"k":"compacted","horizon":N`).
    case compacted(horizon: Int)

    /// The message format this release writes and reads.
    static let format = 1

    /// The channel of `doc`.
    static func channel(_ doc: String) -> String { "collab:v1:doc:" + doc }

    /// The payload from `node` about `doc`.
    func payload(node: String, doc: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(contentsOf: #"{"f":"#.utf8)
        JSONWriter.appendInteger(Self.format, into: &bytes)
        bytes.append(contentsOf: #","node":"#.utf8)
        JSONWriter.appendString(node, into: &bytes)
        bytes.append(contentsOf: #","doc":"#.utf8)
        JSONWriter.appendString(doc, into: &bytes)
        switch self {
        case .committed(let version, let at, let records):
            bytes.append(contentsOf: #","k":"commit","v":"#.utf8)
            JSONWriter.appendInteger(version, into: &bytes)
            if let at {
                bytes.append(contentsOf: #","t":"#.utf8)
                JSONWriter.appendInteger(Int(at), into: &bytes)
            }
            if !records.isEmpty {
                bytes.append(contentsOf: #","ops":["#.utf8)
                for (index, record) in records.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    bytes.append(contentsOf: #"{"v":"#.utf8)
                    JSONWriter.appendInteger(record.version, into: &bytes)
                    bytes.append(contentsOf: #","clientId":"#.utf8)
                    JSONWriter.appendString(record.clientId, into: &bytes)
                    bytes.append(contentsOf: #","seq":"#.utf8)
                    JSONWriter.appendInteger(record.seq, into: &bytes)
                    bytes.append(contentsOf: #","user":"#.utf8)
                    JSONWriter.appendString(record.user, into: &bytes)
                    bytes.append(contentsOf: #","ts":"#.utf8)
                    JSONWriter.appendInteger(Int(record.ts), into: &bytes)
                    bytes.append(contentsOf: #","length":"#.utf8)
                    JSONWriter.appendInteger(record.length, into: &bytes)
                    bytes.append(contentsOf: #","op":"#.utf8)
                    JSONWriter.appendString(record.opJSON, into: &bytes)
                    bytes.append(contentsOf: #","deleted":"#.utf8)
                    JSONWriter.appendString(record.deletedJSON, into: &bytes)
                    bytes.append(UInt8(ascii: "}"))
                }
                bytes.append(UInt8(ascii: "]"))
            }
        case .presence(let state):
            bytes.append(contentsOf: #","k":"presence","p":"#.utf8)
            ServerMessage.appendPresence(state, to: &bytes)
        case .leave(let clientId):
            bytes.append(contentsOf: #","k":"leave","clientId":"#.utf8)
            JSONWriter.appendString(clientId, into: &bytes)
        case .roster(let states):
            bytes.append(contentsOf: #","k":"roster","p":["#.utf8)
            for (index, state) in states.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                ServerMessage.appendPresence(state, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .hello:
            bytes.append(contentsOf: #","k":"hello""#.utf8)
        case .claimed(let clientId, let generation):
            bytes.append(contentsOf: #","k":"claim","clientId":"#.utf8)
            JSONWriter.appendString(clientId, into: &bytes)
            bytes.append(contentsOf: #","gen":"#.utf8)
            JSONWriter.appendInteger(generation, into: &bytes)
        case .deleted:
            bytes.append(contentsOf: #","k":"deleted""#.utf8)
        case .compacted(let horizon):
            bytes.append(contentsOf: #","k":"compacted","horizon":"#.utf8)
            JSONWriter.appendInteger(horizon, into: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The sender, document and message of a payload read on `channel`; nil if it is not a
    /// well-formed message of this format on the document's own channel.
    static func parse(channel: String, payload: [UInt8]) -> (node: String, doc: String, message: ClusterMessage)? {
        guard channel.hasPrefix("collab:v1:doc:"),
              case .object(let object)? = try? payload.withUnsafeBytes({ try JSONReader.parse($0) }),
              case .integer(format)? = object["f"],
              case .string(let node)? = object["node"],
              case .string(let doc)? = object["doc"], channel == Self.channel(doc) else { return nil }
        let message: ClusterMessage
        switch object["k"] {
        case .string("commit")?, nil:
            guard case .integer(let version)? = object["v"], version >= 0 else { return nil }
            var at: Int64?
            if case .integer(let time)? = object["t"] { at = Int64(time) }
            var records: [CollabStorage.OpRecord] = []
            if case .array(let items)? = object["ops"] {
                for item in items {
                    guard case .object(let fields) = item,
                          case .integer(let v)? = fields["v"], case .string(let clientId)? = fields["clientId"],
                          case .integer(let seq)? = fields["seq"], case .string(let user)? = fields["user"],
                          case .integer(let ts)? = fields["ts"], case .integer(let length)? = fields["length"],
                          case .string(let op)? = fields["op"], case .string(let deleted)? = fields["deleted"]
                    else { return nil }
                    records.append(CollabStorage.OpRecord(doc: doc, version: v, clientId: clientId, seq: seq, user: user,
                                                          ts: Int64(ts), length: length, opJSON: op, deletedJSON: deleted))
                }
                // Ascending and ending at the announced version, or not ours. Gaps are normal: a
                // node's commits of a document gathered into one notice can have another node's
                // between them.
                guard zip(records, records.dropFirst()).allSatisfy({ $0.version < $1.version }),
                      records.last.map({ $0.version + 1 == version }) ?? true else { return nil }
            }
            message = .committed(version: version, at: at, records: records)
        case .string("presence")?:
            guard let raw = object["p"], let state = presence(raw) else { return nil }
            message = .presence(state)
        case .string("leave")?:
            guard case .string(let clientId)? = object["clientId"] else { return nil }
            message = .leave(clientId: clientId)
        case .string("roster")?:
            guard case .array(let items)? = object["p"] else { return nil }
            var states: [PresenceState] = []
            for item in items {
                guard let state = presence(item) else { return nil }
                states.append(state)
            }
            message = .roster(states)
        case .string("hello")?:
            message = .hello
        case .string("claim")?:
            guard case .string(let clientId)? = object["clientId"], case .integer(let generation)? = object["gen"],
                  generation > 0 else { return nil }
            message = .claimed(clientId: clientId, generation: generation)
        case .string("deleted")?:
            message = .deleted
        case .string("compacted")?:
            guard case .integer(let horizon)? = object["horizon"], horizon >= 0 else { return nil }
            message = .compacted(horizon: horizon)
        default:
            return nil
        }
        return (node, doc, message)
    }

    /// A `presence` message's fields as a state.
    private static func presence(_ value: JSONValue) -> PresenceState? {
        guard case .object(let object) = value,
              case .string(let clientId)? = object["clientId"],
              case .object(let user)? = object["user"],
              case .string(let userId)? = user["id"], case .string(let name)? = user["name"],
              case .string(let color)? = user["color"],
              case .integer(let version)? = object["v"], version >= 0,
              let rawSelection = object["selection"] else { return nil }
        var selection: Selection?
        if case .null = rawSelection {
            selection = nil
        } else {
            guard let parsed = Selection(json: rawSelection) else { return nil }
            selection = parsed
        }
        return PresenceState(clientId: clientId, userId: userId, name: name, color: color, version: version,
                             selection: selection)
    }
}
