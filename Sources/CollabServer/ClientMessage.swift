import CollabJSON
import CollabOT

/// A message from a client, decoded from a text frame (contract §2).
public enum ClientMessage: Sendable, Hashable {
    /// `{"type":"join",...}`.
    case join(JoinRequest)
    /// `{"type":"op",...}`.
    case op(OpSubmission)
    /// `{"type":"presence",...}`.
    case presence(PresenceUpdate)
    /// `{"type":"ping","id":...}`; the id (any JSON, nil if absent) is echoed in the `pong`.
    case ping(id: JSONValue?)

    /// Nesting limit of the contract (§2.2, JSON details).
    public static let maxDepth = 32

    /// Decodes a text frame's payload.
    ///
    /// Throws `bad_message` for invalid JSON, nesting deeper than 32, a non-object, an
    /// unknown or missing `type`, a bad field, or a lone-surrogate escape anywhere but
    /// in an insert of an op (there the op is `bad_op`, which the room reports in its
    /// check order). Unknown members are ignored.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(ClientMessageError) {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes, maxDepth: Self.maxDepth)
        } catch {
            throw ClientMessageError(.badMessage, "invalid JSON: \(error)")
        }
        try self.init(json: value)
    }

    /// Decodes a text frame's payload.
    public init(decoding bytes: [UInt8]) throws(ClientMessageError) {
        let result = bytes.withUnsafeBytes { buffer -> Result<ClientMessage, ClientMessageError> in
            do throws(ClientMessageError) {
                return .success(try ClientMessage(decoding: buffer))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Decodes an already parsed message.
    public init(json value: JSONValue) throws(ClientMessageError) {
        guard case .object(let object) = value else {
            throw ClientMessageError(.badMessage, "a message must be a JSON object")
        }
        guard case .string(let type)? = object["type"] else {
            throw ClientMessageError(.badMessage, "missing or invalid \"type\"")
        }
        switch type {
        case "join":
            try Self.rejectLoneSurrogates(in: object, except: nil)
            self = .join(try Self.decodeJoin(object))
        case "op":
            let submission = try Self.decodeOp(object)
            do throws(ClientMessageError) {
                try Self.rejectLoneSurrogates(in: object, except: "op")
            } catch {
                throw ClientMessageError(error.code, error.message, seq: submission.seq)
            }
            self = .op(submission)
        case "presence":
            try Self.rejectLoneSurrogates(in: object, except: nil)
            self = .presence(try Self.decodePresence(object))
        case "ping":
            try Self.rejectLoneSurrogates(in: object, except: nil)
            self = .ping(id: object["id"])
        default:
            throw ClientMessageError(.badMessage, "unknown message type")
        }
    }

    // MARK: - Types

    private static func decodeJoin(_ object: JSONObject) throws(ClientMessageError) -> JoinRequest {
        guard case .string(let clientId)? = object["clientId"], JoinRequest.isValidClientId(clientId) else {
            throw ClientMessageError(.badMessage, "clientId must be 8-64 of [A-Za-z0-9_-]")
        }
        var version: Int?
        if let raw = object["version"] {
            guard case .integer(let number) = raw, number >= 0 else {
                throw ClientMessageError(.badMessage, "version must be a non-negative integer")
            }
            version = number
        }
        // `user` holds display hints: a hint of the wrong shape is ignored, not an error.
        var name: String?
        var color: String?
        if case .object(let user)? = object["user"] {
            if case .string(let text)? = user["name"] { name = text }
            if case .string(let text)? = user["color"], JoinRequest.isValidColor(text) { color = text }
        }
        return JoinRequest(clientId: clientId, version: version, userName: name, userColor: color)
    }

    private static func decodeOp(_ object: JSONObject) throws(ClientMessageError) -> OpSubmission {
        guard case .integer(let seq)? = object["seq"] else {
            throw ClientMessageError(.badMessage, "seq must be an integer")
        }
        guard seq >= 1 else {
            throw ClientMessageError(.badMessage, "seq starts at 1", seq: seq)
        }
        return OpSubmission(seq: seq, version: object["v"], operation: object["op"])
    }

    private static func decodePresence(_ object: JSONObject) throws(ClientMessageError) -> PresenceUpdate {
        guard case .integer(let version)? = object["v"], version >= 0 else {
            throw ClientMessageError(.badMessage, "v must be a non-negative integer")
        }
        guard let raw = object["selection"] else {
            throw ClientMessageError(.badMessage, "missing selection")
        }
        if case .null = raw { return PresenceUpdate(version: version, selection: nil) }
        guard let selection = Selection(json: raw) else {
            throw ClientMessageError(.badMessage, "selection must be a list of [anchor, head] of non-negative integers, or null")
        }
        return PresenceUpdate(version: version, selection: selection)
    }

    // MARK: - Lone surrogates

    /// Throws `bad_message` for a lone-surrogate string anywhere in `object`, except the
    /// top-level string items of the member named `exempt` (an op's inserts, which are `bad_op`).
    private static func rejectLoneSurrogates(in object: JSONObject, except exempt: String?) throws(ClientMessageError) {
        for member in object.members {
            if member.key == exempt, case .array(let items) = member.value {
                for item in items {
                    if case .stringWithLoneSurrogate = item { continue }
                    if containsLoneSurrogate(item) { throw loneSurrogateError }
                }
            } else if containsLoneSurrogate(member.value) {
                throw loneSurrogateError
            }
        }
    }

    private static let loneSurrogateError = ClientMessageError(.badMessage, "lone surrogate escape outside an insert")

    private static func containsLoneSurrogate(_ value: JSONValue) -> Bool {
        switch value {
        case .stringWithLoneSurrogate: return true
        case .null, .bool, .integer, .number, .string: return false
        case .array(let items): return items.contains { containsLoneSurrogate($0) }
        case .object(let object): return object.members.contains { containsLoneSurrogate($0.value) }
        }
    }
}
