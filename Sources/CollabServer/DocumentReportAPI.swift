import CollabJSON
import CollabPostgresStorage
import CollabStorage
import CollabTransport
import Dispatch
import Synchronization

/// The operator reports over HTTP, collab extensions beyond contract §3 that serve what the
/// `collab docs`, `history`, `blame` and `export --at` commands print: `GET /v1/docs` (admin),
/// `GET /v1/docs/{id}/history` (admin), `GET /v1/docs/{id}/blame` (viewer or above) and
/// `GET /v1/docs/{id}?at=TIME` (viewer or above).
///
/// Checks (400 → 401 → 403) run on the loop; the reads then run on one background queue
/// with a connection of their own, and answer through the deferred responder. A blame
/// replays a document's whole op log and a filtered history page may scan all of its ops:
/// seconds for a large document, which must not stall the rooms that share the loop. The
/// queue is serial (reports are rare, and one at a time keeps their I/O off the editors'
/// disk), with a bounded backlog: past `maxQueuedReports` a request gets 503.
final class DocumentReportAPI: Sendable {
    /// The most rows one history page returns.
    static let maxHistoryPage = 1_000
    /// Reports waiting or running before new ones are refused with 503.
    static let maxQueuedReports = 16

    let access: DocumentAccess
    let database: ServerDatabase
    private let queue = DispatchQueue(label: "collab.document-reports")
    /// The reports' PostgreSQL session, kept between reports (a new one would cost a login).
    private final class PostgresSession: @unchecked Sendable {
        // Unchecked: touched only on the reports' serial `queue`.
        var store: ReconnectingPostgresOpStore?
    }
    private let postgresSession = PostgresSession()
    private let queued = Atomic<Int>(0)

    init(access: DocumentAccess, database: ServerDatabase) {
        self.access = access
        self.database = database
    }

    // MARK: - Routing

    /// `GET /v1/docs[?prefix=]`: every document's summary, sorted by id (admin).
    func list(_ request: HTTPRequest) -> HTTPRouteResult {
        let prefix: String?
        do throws(HTTPRefusal) {
            prefix = try QueryParameters(request.head.query)["prefix"]
            try access.authorizeAdmin(request.head)
        } catch {
            return .respond(error.response)
        }
        return run(request) { store throws(ReportFailure) in
            var documents = try ReportFailure.storage { () throws(StorageError) in try store.listDocuments() }
            if let prefix { documents = documents.filter { $0.id.hasPrefix(prefix) } }
            return .json(.ok, JSONValue.array(documents.map(\.json)).jsonString)
        }
    }

    /// The report a `/v1/docs/...` request asks for, or nil if it is one of the contract's
    /// requests (the text by version, the op log, an upgrade, a bad path), left to `DocumentHTTPAPI`.
    func route(_ request: HTTPRequest) -> HTTPRouteResult? {
        let rest = request.head.path.dropFirst(DocumentAccess.pathPrefix.utf8.count)
        let segments = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        switch segments.count == 2 ? segments[1] : nil {
        case "history"?: return history(request, documentId: segments[0])
        case "blame"?: return blame(request, documentId: segments[0])
        case nil where request.head.query.map(Self.namesAt) ?? false: return textAtTime(request, documentId: segments[0])
        default: return nil
        }
    }

    private static func namesAt(_ query: Substring) -> Bool {
        query.split(separator: "&").contains { $0 == "at" || $0.hasPrefix("at=") }
    }

    // MARK: - Reports

    /// `GET /v1/docs/{id}/history?from=&limit=&user=&since=`: ops as `OP_RECORD`s with `time` (admin).
    private func history(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String, from: Int, limit: Int, user: String?, since: Int64?
        do throws(HTTPRefusal) {
            doc = try Self.validated(documentId)
            let query = try QueryParameters(request.head.query)
            from = try query.integer("from") ?? 0
            limit = min(try query.integer("limit") ?? Self.maxHistoryPage, Self.maxHistoryPage)
            user = query["user"]
            since = try query.time("since")
            let grant = try access.authorize(request.head, documentId: doc)
            if access.secret != nil && grant.identity.role != .admin {
                throw HTTPRefusal(.forbidden, "the history needs the admin role")
            }
        } catch {
            return .respond(error.response)
        }
        return run(request) { store throws(ReportFailure) in
            try Self.requireDocument(doc, in: store)
            let records = try ReportFailure.storage { () throws(StorageError) in
                try store.history(doc: doc, from: from, limit: limit, user: user, since: since)
            }
            return .json(.ok, JSONValue.array(records.map(\.historyJSON)).jsonString)
        }
    }

    /// `GET /v1/docs/{id}/blame`: each line of the current text with the op that last wrote it.
    private func blame(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String
        do throws(HTTPRefusal) {
            doc = try Self.validated(documentId)
            _ = try QueryParameters(request.head.query)
            _ = try access.authorize(request.head, documentId: doc)
        } catch {
            return .respond(error.response)
        }
        return run(request) { store throws(ReportFailure) in
            let lines = try ReportFailure.history { () throws(DocumentHistoryError) in
                try Blame.lines(store: store, doc: doc)
            }
            return .json(.ok, JSONValue.array(lines.map(\.json)).jsonString)
        }
    }

    /// `GET /v1/docs/{id}?at=TIME`: the text as it was at a time; 404 before the first op.
    private func textAtTime(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String, at: Int64
        do throws(HTTPRefusal) {
            doc = try Self.validated(documentId)
            let query = try QueryParameters(request.head.query)
            guard query["version"] == nil else {
                throw HTTPRefusal(.badRequest, "version and at cannot be used together")
            }
            at = try query.time("at") ?? 0
            _ = try access.authorize(request.head, documentId: doc)
        } catch {
            return .respond(error.response)
        }
        return run(request) { store throws(ReportFailure) in
            let info = try Self.requireDocument(doc, in: store)
            let history = DocumentHistory(store: store, doc: doc)
            let version = try ReportFailure.history { () throws(DocumentHistoryError) in
                try history.version(atOrBefore: at)
            }
            guard version > 0 else {
                throw .refused(HTTPRefusal(.notFound,
                    "document \(doc) did not exist yet at \(ISO8601Time.format(milliseconds: at)); its first "
                        + "operation was stored at \(ISO8601Time.format(milliseconds: info.createdAt))"))
            }
            return try Self.textResponse(store: store, doc: doc, version: version)
        }
    }

    // MARK: - Shared

    /// The text of `doc` at `version` as `{"id","version","ts","time","text"}`; `ts` (ms since
    /// the epoch) and `time` (ISO 8601) say when the op that made the version was stored, null
    /// at version 0. Used for `?at=` and, by `DocumentHTTPAPI`, for the contract's own forms.
    static func textResponse(store: any OpStore, doc: String, version: Int,
                             named: Bool = false) throws(ReportFailure) -> HTTPResponse {
        let text = try ReportFailure.history { () throws(DocumentHistoryError) in
            let history = DocumentHistory(store: store, doc: doc)
            return String(named ? try history.text(atNamedVersion: version) : try history.text(atVersion: version))
        }
        let ts = try ReportFailure.storage { () throws(StorageError) in
            version == 0 ? nil : try store.ops(doc: doc, from: version - 1, limit: 1).first?.ts
        }
        let body = JSONValue.object(JSONObject([
            ("id", .string(doc)), ("version", .integer(version)),
            ("ts", ts.map { .integer(Int($0)) } ?? .null),
            ("time", ts.map { .string(ISO8601Time.format(milliseconds: $0)) } ?? .null),
            ("text", .string(text)),
        ]))
        return .json(.ok, body.jsonString)
    }

    @discardableResult
    static func requireDocument(_ doc: String, in store: any OpStore) throws(ReportFailure) -> DocumentInfo {
        guard let info = try ReportFailure.storage({ () throws(StorageError) in try store.documentInfo(doc: doc) }) else {
            throw .refused(HTTPRefusal(.notFound, "document \(doc) has no op yet"))
        }
        return info
    }

    static func validated(_ documentId: Substring) throws(HTTPRefusal) -> String {
        guard DocumentAccess.documentId(inPath: DocumentAccess.pathPrefix + documentId) != nil else {
            throw HTTPRefusal(.badRequest, "invalid document id: 1-128 of [A-Za-z0-9._-], first alphanumeric")
        }
        return String(documentId)
    }

    /// Runs `report` on the background queue with a fresh connection and answers with
    /// its response (nil: `report` handed the responder on and answers later); 503 when the
    /// backlog is full.
    func run(_ request: HTTPRequest,
             _ report: @escaping @Sendable (any HistoryStore) throws(ReportFailure) -> HTTPResponse?) -> HTTPRouteResult {
        let admitted = queued.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxQueuedReports
        guard admitted else {
            queued.subtract(1, ordering: .relaxed)
            var response = HTTPResponse.error(.serviceUnavailable, code: "unavailable",
                                              message: "too many reports in progress; try again shortly")
            response.headers.add(name: "Retry-After", value: "1")
            return .respond(response)
        }
        let responder = request.responder
        let database = self.database
        queue.async { [self] in
            defer { queued.subtract(1, ordering: .relaxed) }
            let response: HTTPResponse?
            do throws(ReportFailure) {
                let store = try ReportFailure.storage { () throws(StorageError) -> any HistoryStore in
                    guard case .postgres(let configuration) = database else { return try database.openForReading() }
                    let session = postgresSession.store ?? ReconnectingPostgresOpStore(configuration: configuration)
                    postgresSession.store = session
                    return try session.connected()
                }
                response = try report(store)
            } catch {
                response = error.response
            }
            if let response { responder.respond(response) }
        }
        return .deferred
    }
}
