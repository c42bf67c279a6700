import CollabJSON
import CollabOT

/// A message to the server (contract §2), ready to encode.
public enum OutboundMessage: Sendable, Hashable {
    /// `join`: `version` nil asks for the whole document.
    case join(clientId: String, version: Int?, user: UserHints?)
    /// `op`: `operation` made against `version`, numbered `seq`.
    case op(seq: Int, version: Int, operation: TextOperation)
    /// `presence`: the selection at `version`, or nil for none.
    case presence(version: Int, selection: Selection?)

    /// The message as a JSON value.
    public var json: JSONValue {
        switch self {
        case .join(let clientId, let version, let user):
            var object = JSONObject([("type", .string("join")), ("clientId", .string(clientId))])
            if let version { object["version"] = .integer(version) }
            if let user {
                var hints = JSONObject()
                if let name = user.name { hints["name"] = .string(name) }
                if let color = user.color { hints["color"] = .string(color) }
                object["user"] = .object(hints)
            }
            return .object(object)
        case .op(let seq, let version, let operation):
            return .object(JSONObject([("type", .string("op")), ("seq", .integer(seq)), ("v", .integer(version)),
                                       ("op", operation.json)]))
        case .presence(let version, let selection):
            return .object(JSONObject([("type", .string("presence")), ("v", .integer(version)),
                                       ("selection", selection?.json ?? .null)]))
        }
    }

    /// The message as JSON text, one WebSocket text frame.
    public var text: String { json.jsonString }
}
