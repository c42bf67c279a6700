import CollabJSON

extension BlameLine {
    /// The line as `collab blame --json` prints it and `GET /v1/docs/{id}/blame` serves it:
    /// `{"line","version","user","ts","time","text"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("line", .integer(number)), ("version", .integer(version)),
            ("user", .string(user)), ("ts", .integer(Int(ts))),
            ("time", .string(ISO8601Time.format(milliseconds: ts))), ("text", .string(text)),
        ]))
    }

    /// Reads `json` back; nil if it is not such an object.
    public init?(json: JSONValue) {
        guard case .object(let object) = json,
              case .integer(let number)? = object["line"], case .integer(let version)? = object["version"],
              case .string(let user)? = object["user"], case .integer(let ts)? = object["ts"],
              case .string(let text)? = object["text"]
        else { return nil }
        self.init(number: number, text: text, version: version, user: user, ts: Int64(ts))
    }
}
