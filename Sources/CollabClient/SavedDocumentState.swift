import CollabJSON
import CollabOT

/// What a client must keep across a restart for its unacknowledged edits to land exactly once:
/// the clientId and `seq` numbering they belong to, the version and local text they apply to,
/// and the ot.js state (the in-flight op exactly as sent, and the buffer).
public struct SavedDocumentState: Sendable, Hashable {
    /// The document's URL the state belongs to.
    public var documentURL: String
    /// The editing session's id: reused after the restart, so the server deduplicates.
    public var clientId: String
    /// The highest `seq` used; the numbering continues after it.
    public var lastSeq: Int
    /// The server version the text is based on; nil if the document was not loaded.
    public var version: Int?
    /// The local text: the server's document at `version` with `pending` applied.
    public var text: String
    /// What the server has not acknowledged.
    public var pending: PendingEdits

    /// A saved state.
    public init(documentURL: String, clientId: String, lastSeq: Int, version: Int?, text: String, pending: PendingEdits) {
        self.documentURL = documentURL
        self.clientId = clientId
        self.lastSeq = lastSeq
        self.version = version
        self.text = text
        self.pending = pending
    }

    /// The format tag written first in the file; a file without it is not ours.
    static let format = "collab-client-state/1"

    /// The state as JSON.
    public var json: JSONValue {
        var object = JSONObject([("format", .string(Self.format)), ("url", .string(documentURL)),
                                 ("clientId", .string(clientId)), ("lastSeq", .integer(lastSeq)),
                                 ("version", version.map(JSONValue.integer) ?? .null), ("text", .string(text))])
        switch pending {
        case .synchronized:
            break
        case .awaitingAck(let inflight):
            object["inflight"] = Self.json(inflight)
        case .awaitingWithBuffer(let inflight, let buffer):
            object["inflight"] = Self.json(inflight)
            object["buffer"] = buffer.json
        }
        return .object(object)
    }

    /// Decodes `json`; the error says what is wrong. Checks that the pending edits fit the text.
    public init(json: JSONValue) throws(SavedDocumentStateError) {
        guard case .object(let object) = json else { throw .malformed("not a JSON object") }
        guard case .string(Self.format)? = object["format"] else { throw .malformed("format is not \(Self.format)") }
        guard case .string(let url)? = object["url"] else { throw .malformed("url missing") }
        guard case .string(let clientId)? = object["clientId"], ClientID.isValid(clientId) else {
            throw .malformed("clientId missing or invalid")
        }
        guard case .integer(let lastSeq)? = object["lastSeq"], lastSeq >= 0 else { throw .malformed("lastSeq missing") }
        let version: Int?
        switch object["version"] {
        case .integer(let value)? where value >= 0: version = value
        case .null?: version = nil
        default: throw .malformed("version missing")
        }
        guard case .string(let text)? = object["text"] else { throw .malformed("text missing") }
        var pending = PendingEdits.synchronized
        if let inflightJSON = object["inflight"] {
            let inflight = try Self.pendingOperation(inflightJSON)
            if let bufferJSON = object["buffer"] {
                pending = .awaitingWithBuffer(inflight, buffer: try Self.operation(bufferJSON, "buffer"))
            } else {
                pending = .awaitingAck(inflight)
            }
            guard version != nil else { throw .malformed("pending edits without a version") }
        }
        if let submission = pending.inflightSubmission, submission.seq > lastSeq {
            throw .malformed("in-flight seq \(submission.seq) above lastSeq \(lastSeq)")
        }
        // The local text is the server's text with the pending edits applied: they must fit it.
        if let composed = pending.composed {
            let length = text.unicodeScalars.count
            let baseLength = length - composed.lengthChange
            guard baseLength >= composed.inputLength else {
                throw .malformed("pending edits do not fit a text of \(length) scalars")
            }
        }
        self.init(documentURL: url, clientId: clientId, lastSeq: lastSeq, version: version, text: text, pending: pending)
    }

    private static func json(_ inflight: PendingOperation) -> JSONValue {
        var object = JSONObject([("op", inflight.operation.json)])
        if let submission = inflight.submission {
            object["sent"] = .object(JSONObject([("seq", .integer(submission.seq)), ("v", .integer(submission.version)),
                                                 ("op", submission.operation.json)]))
        }
        return .object(object)
    }

    private static func pendingOperation(_ json: JSONValue) throws(SavedDocumentStateError) -> PendingOperation {
        guard case .object(let object) = json, let operationJSON = object["op"] else { throw .malformed("inflight malformed") }
        var inflight = PendingOperation(operation: try operation(operationJSON, "inflight op"))
        if let sentJSON = object["sent"] {
            guard case .object(let sent) = sentJSON, case .integer(let seq)? = sent["seq"], seq > 0,
                  case .integer(let version)? = sent["v"], version >= 0, let sentOperation = sent["op"]
            else { throw .malformed("inflight submission malformed") }
            inflight.submission = OperationSubmission(seq: seq, version: version,
                                                      operation: try operation(sentOperation, "sent op"))
        }
        return inflight
    }

    /// An op; `[]` is the no-op, which transformation can make of a pending op.
    private static func operation(_ json: JSONValue, _ what: String) throws(SavedDocumentStateError) -> TextOperation {
        if case .array(let items) = json, items.isEmpty { return .noop }
        do {
            return try TextOperation(json: json)
        } catch {
            throw .malformed("\(what): \(error)")
        }
    }
}

extension PendingEdits {
    /// The in-flight op's submission, if it was sent.
    var inflightSubmission: OperationSubmission? {
        switch self {
        case .synchronized: nil
        case .awaitingAck(let inflight), .awaitingWithBuffer(let inflight, _): inflight.submission
        }
    }
}
