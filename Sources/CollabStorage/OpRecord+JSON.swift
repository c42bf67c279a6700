import CollabJSON

extension OpRecord {
    /// The record as the protocol's `OP_RECORD` plus `time` (ISO 8601), as `collab history
    /// --json` prints it and `GET /v1/docs/{id}/history` serves it.
    public var historyJSON: JSONValue {
        let op = (try? JSONReader.parse(opJSON)) ?? .string(opJSON)
        return .object(JSONObject([
            ("type", .string("op")), ("v", .integer(version)), ("op", op),
            ("clientId", .string(clientId)), ("seq", .integer(seq)),
            ("user", .string(user)), ("ts", .integer(Int(ts))),
            ("time", .string(ISO8601Time.format(milliseconds: ts))),
        ]))
    }

    /// Reads an `OP_RECORD` of `doc` back; nil if `json` is not one. The JSON carries neither
    /// the text length nor the deleted texts, so `length` is 0 and `deletedJSON` is `[]`;
    /// `opJSON` is the op re-encoded (the stored text is already in that canonical form).
    public init?(historyJSON json: JSONValue, doc: String) {
        guard case .object(let object) = json,
              case .integer(let version)? = object["v"], let op = object["op"],
              case .string(let clientId)? = object["clientId"], case .integer(let seq)? = object["seq"],
              case .string(let user)? = object["user"], case .integer(let ts)? = object["ts"]
        else { return nil }
        let opJSON: String
        if case .string(let text) = op { opJSON = text } else { opJSON = op.jsonString }
        self.init(doc: doc, version: version, clientId: clientId, seq: seq, user: user, ts: Int64(ts), length: 0,
                  opJSON: opJSON)
    }
}
