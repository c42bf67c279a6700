import CollabJSON

extension DocumentInfo {
    /// The summary as `collab docs --json` prints it and `GET /v1/docs` serves it:
    /// `{"id","version","size","authors","createdAt","updatedAt"}`, times in ISO 8601 (UTC, ms).
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("version", .integer(version)),
            ("size", .integer(length)), ("authors", .integer(authorCount)),
            ("createdAt", .string(ISO8601Time.format(milliseconds: createdAt))),
            ("updatedAt", .string(ISO8601Time.format(milliseconds: updatedAt))),
        ]))
    }

    /// Reads `json` back; nil if it is not such an object.
    public init?(json: JSONValue) {
        guard case .object(let object) = json,
              case .string(let id)? = object["id"], case .integer(let version)? = object["version"],
              case .integer(let size)? = object["size"], case .integer(let authors)? = object["authors"],
              case .string(let created)? = object["createdAt"], let createdAt = ISO8601Time.parse(created),
              case .string(let updated)? = object["updatedAt"], let updatedAt = ISO8601Time.parse(updated)
        else { return nil }
        self.init(id: id, version: version, length: size, authorCount: authors, createdAt: createdAt,
                  updatedAt: updatedAt)
    }
}
