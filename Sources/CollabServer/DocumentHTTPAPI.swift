import CollabJSON
import CollabPostgresStorage
import CollabStorage
import CollabTransport

/// The HTTP side of the port (contract §3): `/healthz`, `/metrics`, the document text and
/// its op log. Each request reads through the read connection of the loop it arrived on.
struct DocumentHTTPAPI: Sendable {
    static let maxOpsPerPage = 1_000

    let access: DocumentAccess
    let loops: [LoopBound<LoopRooms>]
    let metrics: ServerMetrics
    /// The node's writer, which knows whether the database is reachable.
    let writer: any OpLogWriter
    /// `/metrics` needs no token (`--metrics-open`).
    var metricsOpen = false

    private func reader(for request: HTTPRequest) -> any OpStore {
        loops[request.eventLoop.index].value.reader
    }

    /// `GET /healthz`: 200 `ok` when the database answers (PostgreSQL: the writer's latest
    /// commit or probe, at most a second old, so the check never waits on the network).
    func health(_ request: HTTPRequest) -> HTTPResponse {
        guard writer.isHealthy else {
            return .error(.serviceUnavailable, code: "unavailable", message: "the database is unreachable")
        }
        guard let sqlite = reader(for: request) as? SQLiteOpStore else { return .text(.ok, "ok") }
        do {
            guard try sqlite.database.scalarText("SELECT 1") == "1" else {
                return .error(.serviceUnavailable, code: "unavailable", message: "database gave an unexpected answer")
            }
            return .text(.ok, "ok")
        } catch {
            return .error(.serviceUnavailable, code: "unavailable", message: "database: \(error)")
        }
    }

    /// `GET /metrics`: Prometheus text (admin; anyone in open mode or with `metricsOpen`).
    func metrics(_ request: HTTPRequest) -> HTTPResponse {
        if !metricsOpen {
            do throws(HTTPRefusal) {
                try access.authorizeAdmin(request.head)
            } catch {
                return error.response
            }
        }
        metrics.databaseUp.store(writer.isHealthy ? 1 : 0, ordering: .relaxed)
        if let postgres = writer as? PostgresCommitWriter {
            let statistics = postgres.statistics
            metrics.databaseRetries.store(statistics.retries, ordering: .relaxed)
            metrics.databaseRecoveredCommits.store(statistics.recoveredCommits, ordering: .relaxed)
            metrics.databaseConflictedRequests.store(statistics.versionConflicts, ordering: .relaxed)
            metrics.databaseClockOffset.store(Int(postgres.clockOffsetMilliseconds), ordering: .relaxed)
        }
        var response = HTTPResponse.text(.ok, metrics.exposition())
        response.headers = HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
        return response
    }

    /// `GET /v1/docs/{id}` (text, viewer or above) and `GET /v1/docs/{id}/ops` (admin). On
    /// SQLite it reads on the loop (microseconds); on PostgreSQL, a round trip away, it reads
    /// on the reports' queue and answers from there (`reports`).
    func document(_ request: HTTPRequest, reports: DocumentReportAPI) -> HTTPRouteResult {
        let head = request.head
        // Only a segment after the id makes this the op log: `/v1/docs/ops` is a document named `ops`.
        let isOps = head.path.dropFirst(DocumentAccess.pathPrefix.utf8.count).hasSuffix("/ops")
        let grant: DocumentAccess.Grant
        let parameters: [String: Int]
        do throws(HTTPRefusal) {
            guard let documentId = DocumentAccess.documentId(inPath: head.path, suffix: isOps ? "/ops" : "") else {
                throw HTTPRefusal(.badRequest, "invalid document id")
            }
            parameters = try Self.integerParameters(head.query, names: isOps ? ["from", "limit"] : ["version"])
            grant = try access.authorize(head, documentId: String(documentId))
            // In open mode every HTTP caller is an anonymous admin.
            if isOps && access.secret != nil && grant.identity.role != .admin {
                throw HTTPRefusal(.forbidden, "the op log needs the admin role")
            }
        } catch {
            return .respond(error.response)
        }
        guard reader(for: request) is SQLiteOpStore else {
            return reports.run(request) { store throws(ReportFailure) in
                Self.answer(store: store, documentId: grant.documentId, isOps: isOps, parameters: parameters)
            }
        }
        return .respond(Self.answer(store: reader(for: request), documentId: grant.documentId, isOps: isOps,
                                    parameters: parameters))
    }

    /// The text or op-log page of `documentId` as stored in `store`.
    private static func answer(store: any OpStore, documentId: String, isOps: Bool,
                               parameters: [String: Int]) -> HTTPResponse {
        do {
            let current = try store.currentVersion(doc: documentId)
            if isOps {
                // Below a compaction horizon the ops are gone: say so rather than start later.
                let horizon = try store.horizon(doc: documentId)
                if let from = parameters["from"], from < horizon {
                    return .error(.gone, code: "version_gone",
                                  message: "version \(from) is gone: the document was compacted at version \(horizon)")
                }
                let limit = min(parameters["limit"] ?? maxOpsPerPage, maxOpsPerPage)
                let rows = limit == 0 ? [] : try store.ops(doc: documentId, from: parameters["from"] ?? 0, limit: limit)
                return .json(.ok, opRecordsJSON(rows))
            }
            guard current > 0 else {
                return .error(.notFound, code: "not_found", message: "document \(documentId) has no op yet")
            }
            let version = parameters["version"] ?? current
            guard version <= current else {
                return .error(.notFound, code: "not_found",
                              message: "version \(version) is above the document's current version, \(current)")
            }
            // The same body as `?at=` (with `ts` and `time`, a collab extension), on the loop:
            // rebuilding one version replays at most a snapshot interval of ops.
            do throws(ReportFailure) {
                return try DocumentReportAPI.textResponse(store: store, doc: documentId, version: version)
            } catch {
                return error.response
            }
        } catch {
            return .error(.internalServerError, code: "internal", message: "database: \(error)")
        }
    }

    /// The op-log rows as a JSON array of `OP_RECORD`s (their op text is stored normalized).
    static func opRecordsJSON(_ rows: [CollabStorage.OpRecord]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, row) in rows.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"type":"op","v":"#.utf8)
            JSONWriter.appendInteger(row.version, into: &bytes)
            bytes.append(contentsOf: #","op":"#.utf8)
            bytes.append(contentsOf: row.opJSON.utf8)
            bytes.append(contentsOf: #","clientId":"#.utf8)
            JSONWriter.appendString(row.clientId, into: &bytes)
            bytes.append(contentsOf: #","seq":"#.utf8)
            JSONWriter.appendInteger(row.seq, into: &bytes)
            bytes.append(contentsOf: #","user":"#.utf8)
            JSONWriter.appendString(row.user, into: &bytes)
            bytes.append(contentsOf: #","ts":"#.utf8)
            JSONWriter.appendInteger(Int(row.ts), into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The non-negative integer query parameters among `names` (others are ignored); 400 for
    /// a value that is not one.
    static func integerParameters(_ query: Substring?, names: Set<String>) throws(HTTPRefusal) -> [String: Int] {
        var values: [String: Int] = [:]
        guard let query else { return values }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard names.contains(name) else { continue }
            let text = parts.count > 1 ? parts[1] : ""
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let value = Int(text) else {
                throw HTTPRefusal(.badRequest, "\(name) must be a non-negative integer")
            }
            values[name] = value
        }
        return values
    }
}
