import CollabJSON
import CollabOT

/// A message from the server (contract §2), decoded.
public enum InboundMessage: Sendable, Hashable {
    /// The whole document at `version` (join answer).
    case snapshot(version: Int, text: String)
    /// Committed ops in order: one `op` message or an `ops` batch.
    case operations([RemoteOperation])
    /// The join is complete; `presence` lists the other clients.
    case joined(version: Int, clientId: String, role: DocumentRole, presence: [PresenceRecord])
    /// The client's op `seq` is durable as `version`.
    case ack(seq: Int, version: Int)
    /// Another client's selection changed (or it joined).
    case presence(PresenceRecord)
    /// Another client left.
    case leave(clientId: String)
    /// An error; `seq` names the op it is about, if any.
    case error(code: String, message: String, seq: Int?)
    /// Answer to a `ping`.
    case pong
    /// A message type this client does not know (ignored, for forward compatibility).
    case unknown(type: String)

    /// Decodes one text frame. Unknown fields are ignored.
    public init(text: String) throws(ClientProtocolError) {
        let value: JSONValue
        do {
            value = try JSONReader.parse(text)
        } catch {
            throw ClientProtocolError("invalid JSON: \(error)")
        }
        try self.init(json: value)
    }

    /// Decodes one parsed message.
    public init(json: JSONValue) throws(ClientProtocolError) {
        guard case .object(let object) = json else { throw ClientProtocolError("message is not an object") }
        guard case .string(let type)? = object["type"] else { throw ClientProtocolError("message without type") }
        switch type {
        case "snapshot":
            self = .snapshot(version: try Self.integer(object, "version"), text: try Self.string(object, "text"))
        case "op":
            self = .operations([try Self.record(object)])
        case "ops":
            guard case .array(let items)? = object["ops"] else { throw ClientProtocolError("ops without an array") }
            var records: [RemoteOperation] = []
            records.reserveCapacity(items.count)
            for item in items {
                guard case .object(let record) = item else { throw ClientProtocolError("op record is not an object") }
                records.append(try Self.record(record))
            }
            self = .operations(records)
        case "joined":
            var presence: [PresenceRecord] = []
            if case .array(let items)? = object["presence"] {
                for item in items {
                    guard case .object(let entry) = item else { throw ClientProtocolError("presence is not an object") }
                    presence.append(try Self.presence(entry))
                }
            }
            let role: DocumentRole
            if case .string(let name)? = object["role"] { role = DocumentRole(rawValue: name) } else { role = .editor }
            self = .joined(version: try Self.integer(object, "version"), clientId: try Self.string(object, "clientId"),
                           role: role, presence: presence)
        case "ack":
            self = .ack(seq: try Self.integer(object, "seq"), version: try Self.integer(object, "v"))
        case "presence":
            self = .presence(try Self.presence(object))
        case "leave":
            self = .leave(clientId: try Self.string(object, "clientId"))
        case "error":
            let message: String
            if case .string(let text)? = object["message"] { message = text } else { message = "" }
            let seq: Int?
            if case .integer(let value)? = object["seq"] { seq = value } else { seq = nil }
            self = .error(code: try Self.string(object, "code"), message: message, seq: seq)
        case "pong":
            self = .pong
        default:
            self = .unknown(type: type)
        }
    }

    // MARK: - Fields

    private static func integer(_ object: JSONObject, _ key: String) throws(ClientProtocolError) -> Int {
        guard case .integer(let value)? = object[key], value >= 0 else {
            throw ClientProtocolError("missing or invalid \"\(key)\"")
        }
        return value
    }

    private static func string(_ object: JSONObject, _ key: String) throws(ClientProtocolError) -> String {
        guard case .string(let value)? = object[key] else { throw ClientProtocolError("missing or invalid \"\(key)\"") }
        return value
    }

    private static func record(_ object: JSONObject) throws(ClientProtocolError) -> RemoteOperation {
        guard let json = object["op"] else { throw ClientProtocolError("op record without op") }
        let operation: TextOperation
        do {
            operation = try TextOperation(json: json)
        } catch .noEffect {
            // A transformed op can become the no-op; the server still stores it as a version.
            operation = .noop
        } catch {
            throw ClientProtocolError("invalid op in record: \(error)")
        }
        let timestamp: Int64
        if case .integer(let value)? = object["ts"] { timestamp = Int64(value) } else { timestamp = 0 }
        let user: String
        if case .string(let value)? = object["user"] { user = value } else { user = "" }
        return RemoteOperation(version: try integer(object, "v"), operation: operation,
                               clientId: try string(object, "clientId"), seq: try integer(object, "seq"),
                               user: user, timestamp: timestamp)
    }

    private static func presence(_ object: JSONObject) throws(ClientProtocolError) -> PresenceRecord {
        var user = ParticipantUser(id: "", name: "", color: "")
        if case .object(let fields)? = object["user"] {
            if case .string(let id)? = fields["id"] { user.id = id }
            if case .string(let name)? = fields["name"] { user.name = name }
            if case .string(let color)? = fields["color"] { user.color = color }
        }
        var selection: Selection?
        switch object["selection"] {
        case nil, .null?:
            selection = nil
        case let value?:
            guard let decoded = Selection(json: value) else { throw ClientProtocolError("invalid selection") }
            selection = decoded
        }
        let version: Int
        if case .integer(let value)? = object["v"], value >= 0 { version = value } else { version = 0 }
        return PresenceRecord(clientId: try string(object, "clientId"), user: user, version: version,
                              selection: selection)
    }
}
