/// One stored op, as the server encoded it. This module stores ops; it never interprets them.
public struct OpRecord: Equatable, Sendable {
    /// The document id.
    public var doc: String
    /// The version it was stored as: it takes the document from `version` to `version + 1`.
    public var version: Int
    /// The submitting client's `clientId`.
    public var clientId: String
    /// The client's `seq` for this op.
    public var seq: Int
    /// The author's token `sub`.
    public var user: String
    /// Commit time in milliseconds since the Unix epoch.
    public var ts: Int64
    /// The document's length in Unicode scalars after this op (kept for `docs` and `verify`).
    public var length: Int
    /// The normalized op as JSON text, exactly as sent to clients (`[3,"hi",{"d":2}]`).
    public var opJSON: String
    /// A JSON array of the texts the op's deletes removed, in order (`["lo"]`, or `[]`).
    public var deletedJSON: String

    /// Makes a record.
    public init(doc: String, version: Int, clientId: String, seq: Int, user: String, ts: Int64,
                length: Int, opJSON: String, deletedJSON: String = "[]") {
        self.doc = doc
        self.version = version
        self.clientId = clientId
        self.seq = seq
        self.user = user
        self.ts = ts
        self.length = length
        self.opJSON = opJSON
        self.deletedJSON = deletedJSON
    }
}
