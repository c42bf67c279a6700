import CollabJSON
import CollabOT
import CollabStorage
import CollabTransport
import Foundation

/// History users act on, collab extensions beside the contract's endpoints (same tokens, roles
/// and JSON errors): diff two versions, named versions, restore a version as a new edit,
/// compact, delete.
///
/// Checks run on the request's loop; reads and writes of the database run on the report
/// queue (`DocumentReportAPI.run`); what changes a document's text goes through its room, on
/// the room's loop, so open editors see it as any other op.
final class DocumentHistoryAPI: Sendable {
    let access: DocumentAccess
    let reports: DocumentReportAPI
    let group: EventLoopGroup
    let loops: [LoopBound<LoopRooms>]

    init(access: DocumentAccess, reports: DocumentReportAPI, group: EventLoopGroup, loops: [LoopBound<LoopRooms>]) {
        self.access = access
        self.reports = reports
        self.group = group
        self.loops = loops
    }

    /// The action a `/v1/docs/...` request asks for, or nil if it is not one of these.
    func route(_ request: HTTPRequest) -> HTTPRouteResult? {
        let head = request.head
        let rest = head.path.dropFirst(DocumentAccess.pathPrefix.utf8.count)
        let segments = rest.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        let method = head.method
        switch (method, segments.count, segments.count > 1 ? segments[1] : nil) {
        case ("GET", 1, _) where (try? QueryParameters(head.query)["name"]) != nil:
            return textByName(request, documentId: segments[0])
        case ("DELETE", 1, _): return deleteDocument(request, documentId: segments[0])
        case ("GET", 2, "diff"?): return diff(request, documentId: segments[0])
        case ("GET", 2, "versions"?): return listNames(request, documentId: segments[0])
        case ("POST", 2, "versions"?): return addName(request, documentId: segments[0])
        case ("DELETE", 3, "versions"?): return removeName(request, documentId: segments[0], name: segments[2])
        case ("POST", 2, "restore"?): return restore(request, documentId: segments[0])
        case ("POST", 2, "compact"?): return compact(request, documentId: segments[0])
        case ("GET", _, _): return nil
        default:
            return .respond(.error(.methodNotAllowed, code: "method_not_allowed",
                                   message: "\(method) is not served at \(head.path)"))
        }
    }

    // MARK: - Reading

    /// `GET /v1/docs/{id}/diff?from=A&to=B[&format=unified]` (viewer): the op from A to B.
    private func diff(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String, from: Int, to: Int?, unified: Bool
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            let query = try QueryParameters(request.head.query)
            guard let start = try query.integer("from") else { throw HTTPRefusal(.badRequest, "from is required") }
            from = start
            to = try query.integer("to")
            switch query["format"] {
            case nil, "json"?: unified = false
            case "unified"?: unified = true
            case let other?: throw HTTPRefusal(.badRequest, "format must be json or unified, not '\(other)'")
            }
            if let to, from > to { throw HTTPRefusal(.badRequest, "from (\(from)) is after to (\(to))") }
            _ = try access.authorize(request.head, documentId: doc)
        } catch {
            return .respond(error.response)
        }
        return reports.run(request) { store throws(ReportFailure) in
            let history = DocumentHistory(store: store, doc: doc)
            let current = try ReportFailure.history { () throws(DocumentHistoryError) in try history.currentVersion() }
            let end = to ?? current
            guard from <= end else {
                throw .refused(HTTPRefusal(.badRequest, "from (\(from)) is after the current version, \(current)"))
            }
            let (old, new) = try ReportFailure.history { () throws(DocumentHistoryError) in
                (String(try history.text(atVersion: from)), String(try history.text(atVersion: end)))
            }
            if unified {
                var response = HTTPResponse.text(.ok, UnifiedDiff.render(from: old, to: new, oldLabel: "\(doc)@\(from)",
                                                                         newLabel: "\(doc)@\(end)"))
                response.headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")])
                return response
            }
            let operation = TextDiff.operation(from: old, to: new)
            return .json(.ok, JSONValue.object(JSONObject([
                ("id", .string(doc)), ("from", .integer(from)), ("to", .integer(end)), ("op", operation.json),
            ])).jsonString)
        }
    }

    /// `GET /v1/docs/{id}?name=NAME` (viewer): the text at a named version, as `?version=`.
    private func textByName(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String, name: String
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            let query = try QueryParameters(request.head.query)
            guard query["version"] == nil, query["at"] == nil else {
                throw HTTPRefusal(.badRequest, "name cannot be used with version or at")
            }
            name = query["name"] ?? ""
            _ = try access.authorize(request.head, documentId: doc)
        } catch {
            return .respond(error.response)
        }
        return reports.run(request) { store throws(ReportFailure) in
            try DocumentReportAPI.requireDocument(doc, in: store)
            let named = try Self.named(name, doc: doc, in: store)
            return try DocumentReportAPI.textResponse(store: store, doc: doc, version: named.version, named: true)
        }
    }

    /// `GET /v1/docs/{id}/versions` (viewer): `[{"name","version","user","time"}]` in version order.
    private func listNames(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            _ = try QueryParameters(request.head.query)
            _ = try access.authorize(request.head, documentId: doc)
        } catch {
            return .respond(error.response)
        }
        return reports.run(request) { store throws(ReportFailure) in
            try DocumentReportAPI.requireDocument(doc, in: store)
            let names = try ReportFailure.storage { () throws(StorageError) in try store.namedVersions(doc: doc) }
            return .json(.ok, JSONValue.array(names.map(Self.json)).jsonString)
        }
    }

    static func json(_ named: NamedVersion) -> JSONValue {
        .object(JSONObject([
            ("name", .string(named.name)), ("version", .integer(named.version)), ("user", .string(named.user)),
            ("time", .string(ISO8601Time.format(milliseconds: named.createdAt))),
        ]))
    }

    // MARK: - Names

    /// `POST /v1/docs/{id}/versions` `{"name", "version"?}` (editor): 201 with the new name; 409 if taken.
    private func addName(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String, name: String, version: Int?, user: String
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            let grant = try access.authorize(request.head, documentId: doc)
            guard grant.identity.role.canWrite else { throw HTTPRefusal(.forbidden, "naming a version needs the editor role") }
            let body = try Self.body(request, allowed: ["name", "version"])
            guard case .string(let given)? = body["name"] else { throw HTTPRefusal(.badRequest, "name must be a string") }
            if let problem = NamedVersion.problem(with: given) { throw HTTPRefusal(.badRequest, problem) }
            name = given
            version = try Self.version(in: body)
            user = grant.identity.sub ?? "anonymous"
        } catch {
            return .respond(error.response)
        }
        return reports.run(request) { store throws(ReportFailure) in
            let info = try DocumentReportAPI.requireDocument(doc, in: store)
            let target = version ?? info.version
            try Self.check(target, of: doc, current: info.version, in: store)
            let named = NamedVersion(doc: doc, name: name, version: target, user: user, createdAt: Self.now())
            do throws(StorageError) {
                let writer = try self.reports.database.openForWriting()
                defer { ServerDatabase.close(writer) }
                try writer.addNamedVersion(named)
            } catch .nameTaken {
                throw .refused(HTTPRefusal(.conflict, "document \(doc) already has a version named '\(name)'"))
            } catch {
                throw .storage(error)
            }
            return .json(.created, Self.json(named).jsonString)
        }
    }

    /// `DELETE /v1/docs/{id}/versions/{name}` (admin): 204; 404 for an unknown name.
    private func removeName(_ request: HTTPRequest, documentId: Substring, name encoded: Substring) -> HTTPRouteResult {
        let doc: String, name: String
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            guard let decoded = QueryParameters.percentDecoded(encoded) else {
                throw HTTPRefusal(.badRequest, "malformed percent-encoding in the name")
            }
            name = decoded
            try access.authorizeAdmin(request.head, documentId: doc, action: "removing a name")
        } catch {
            return .respond(error.response)
        }
        return reports.run(request) { store throws(ReportFailure) in
            try DocumentReportAPI.requireDocument(doc, in: store)
            let removed = try ReportFailure.storage { () throws(StorageError) -> Bool in
                let writer = try self.reports.database.openForWriting()
                defer { ServerDatabase.close(writer) }
                return try writer.removeNamedVersion(doc: doc, name: name)
            }
            guard removed else { throw .refused(HTTPRefusal(.notFound, "document \(doc) has no version named '\(name)'")) }
            return HTTPResponse(status: .noContent)
        }
    }

    // MARK: - Restore

    /// `POST /v1/docs/{id}/restore` `{"version": N}` or `{"name": "…"}` (editor): one op, through
    /// the document's room, that turns the current text into the text at N.
    private func restore(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String, version: Int?, name: String?, user: String
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            let grant = try access.authorize(request.head, documentId: doc)
            guard grant.identity.role.canWrite else { throw HTTPRefusal(.forbidden, "restoring needs the editor role") }
            let body = try Self.body(request, allowed: ["version", "name"])
            version = try Self.version(in: body)
            switch body["name"] {
            case nil: name = nil
            case .string(let given)?: name = given
            default: throw HTTPRefusal(.badRequest, "name must be a string")
            }
            guard (version == nil) != (name == nil) else {
                throw HTTPRefusal(.badRequest, "give either version or name")
            }
            user = grant.identity.sub ?? "anonymous"
        } catch {
            return .respond(error.response)
        }
        let responder = request.responder
        let rooms = loops[group.loop(for: FNV1a64.hash(doc)).index]
        // Read the target text off the loop, then hand it to the room on its own loop.
        let read = reports.run(request) { store throws(ReportFailure) in
            let info = try DocumentReportAPI.requireDocument(doc, in: store)
            let target: Int
            if let version {
                target = version
            } else {
                target = try Self.named(name ?? "", doc: doc, in: store).version
            }
            try Self.check(target, of: doc, current: info.version, in: store, allowNamedBelowHorizon: name != nil)
            let text = try ReportFailure.history { () throws(DocumentHistoryError) in
                String(try DocumentHistory(store: store, doc: doc).text(atNamedVersion: target))
            }
            rooms.eventLoop.execute {
                rooms.value.withRoom(doc) { room in
                    guard let room else {
                        responder.respond(.error(.serviceUnavailable, code: "unavailable",
                                                 message: "document \(doc) cannot be loaded right now"))
                        return
                    }
                    room.restore(to: text, user: user) { outcome in
                        responder.respond(Self.response(outcome, restoredFrom: target))
                    }
                }
            }
            return nil
        }
        return read
    }

    static func response(_ outcome: RestoreOutcome, restoredFrom: Int) -> HTTPResponse {
        switch outcome {
        case .stored(let version):
            .json(.ok, #"{"version":\#(version),"restoredFrom":\#(restoredFrom)}"#)
        case .unchanged(let version):
            .json(.ok, #"{"version":\#(version),"restoredFrom":\#(restoredFrom),"unchanged":true}"#)
        case .failed(let reason):
            .error(.internalServerError, code: "internal", message: "restore failed: \(reason)")
        }
    }

    // MARK: - Compact and delete

    /// `POST /v1/docs/{id}/compact` `{"horizon": H}` (admin): folds the ops below H into a
    /// snapshot; `"dryRun": true` only reports. Answers what it freed.
    private func compact(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String, horizon: Int, dryRun: Bool
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            try access.authorizeAdmin(request.head, documentId: doc, action: "compacting")
            let body = try Self.body(request, allowed: ["horizon", "dryRun"])
            guard case .integer(let given)? = body["horizon"], given >= 0 else {
                throw HTTPRefusal(.badRequest, "horizon must be a non-negative integer")
            }
            horizon = given
            switch body["dryRun"] {
            case nil, .bool(false)?: dryRun = false
            case .bool(true)?: dryRun = true
            default: throw HTTPRefusal(.badRequest, "dryRun must be true or false")
            }
        } catch {
            return .respond(error.response)
        }
        let rooms = loops[group.loop(for: FNV1a64.hash(doc)).index]
        return reports.run(request) { store throws(ReportFailure) in
            try DocumentReportAPI.requireDocument(doc, in: store)
            let report = try ReportFailure.history { () throws(DocumentHistoryError) -> CompactionReport in
                let writer = try Self.writer(self.reports.database)
                defer { ServerDatabase.close(writer) }
                return try writer.compact(doc: doc, horizon: horizon, now: Self.now(), dryRun: dryRun)
            }
            if !dryRun {
                rooms.eventLoop.execute {
                    rooms.value.raiseHorizon(of: doc, to: report.horizon)
                    rooms.value.announceCompacted(doc, horizon: report.horizon)
                }
            }
            return .json(.ok, JSONValue.object(JSONObject([
                ("id", .string(doc)), ("previousHorizon", .integer(report.previousHorizon)),
                ("horizon", .integer(report.horizon)), ("opsRemoved", .integer(report.opsRemoved)),
                ("snapshotsRemoved", .integer(report.snapshotsRemoved)), ("bytesRemoved", .integer(report.bytesRemoved)),
                ("dryRun", .bool(dryRun)),
            ])).jsonString)
        }
    }

    /// `DELETE /v1/docs/{id}` (admin): closes its clients with 4404, then purges it; 204.
    private func deleteDocument(_ request: HTTPRequest, documentId: Substring) -> HTTPRouteResult {
        let doc: String
        do throws(HTTPRefusal) {
            doc = try DocumentReportAPI.validated(documentId)
            try access.authorizeAdmin(request.head, documentId: doc, action: "deleting a document")
        } catch {
            return .respond(error.response)
        }
        let responder = request.responder
        let rooms = loops[group.loop(for: FNV1a64.hash(doc)).index]
        let database = reports.database
        rooms.eventLoop.execute {
            rooms.value.beginDeletion(doc) {
                // The room is gone and no other loads: purge off the loop, then let it load again.
                DispatchQueue.global().async {
                    let response: HTTPResponse
                    do {
                        let writer = try database.openForWriting()
                        defer { ServerDatabase.close(writer) }
                        let existed = try writer.purge(doc: doc)
                        response = existed ? HTTPResponse(status: .noContent)
                            : .error(.notFound, code: "not_found", message: "document \(doc) has no op yet")
                    } catch {
                        response = .error(.internalServerError, code: "internal", message: "database: \(error)")
                    }
                    rooms.eventLoop.execute {
                        rooms.value.endDeletion(doc)
                        if response.status == .noContent { rooms.value.announceDeleted(doc) }
                        responder.respond(response)
                    }
                }
            }
        }
        return .deferred
    }

    // MARK: - Shared

    /// The JSON object body of `request` with no member outside `allowed`; 400 otherwise.
    static func body(_ request: HTTPRequest, allowed: Set<String>) throws(HTTPRefusal) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONReader.parse(request.body)
        } catch {
            throw HTTPRefusal(.badRequest, "the body must be a JSON object: \(error)")
        }
        guard case .object(let object) = value else { throw HTTPRefusal(.badRequest, "the body must be a JSON object") }
        if let unknown = object.members.first(where: { !allowed.contains($0.key) }) {
            throw HTTPRefusal(.badRequest, "unknown member '\(unknown.key)'; expected \(allowed.sorted().joined(separator: ", "))")
        }
        return object
    }

    /// The body's `version`, if given; 400 unless a non-negative integer.
    static func version(in body: JSONObject) throws(HTTPRefusal) -> Int? {
        switch body["version"] {
        case nil: return nil
        case .integer(let version)? where version >= 0: return version
        default: throw HTTPRefusal(.badRequest, "version must be a non-negative integer")
        }
    }

    /// The named version `name` of `doc`; 404 if there is none.
    static func named(_ name: String, doc: String, in store: any HistoryStore) throws(ReportFailure) -> NamedVersion {
        guard let named = try ReportFailure.storage({ () throws(StorageError) in
            try store.namedVersion(doc: doc, name: name)
        }) else {
            throw .refused(HTTPRefusal(.notFound, "document \(doc) has no version named '\(name)'"))
        }
        return named
    }

    /// 404 above the current version; 410 below the compaction horizon (unless a named
    /// version, whose snapshot was kept, is read by its name).
    static func check(_ version: Int, of doc: String, current: Int, in store: any HistoryStore,
                      allowNamedBelowHorizon: Bool = false) throws(ReportFailure) {
        guard version <= current else {
            throw .history(.versionNotFound(doc: doc, requested: version, current: current))
        }
        let horizon = try ReportFailure.storage { () throws(StorageError) in try store.horizon(doc: doc) }
        if version < horizon && !allowNamedBelowHorizon {
            throw .history(.versionGone(doc: doc, requested: version, horizon: horizon))
        }
    }

    static func writer(_ database: ServerDatabase) throws(DocumentHistoryError) -> any HistoryStore {
        do {
            return try database.openForWriting()
        } catch {
            throw .storage(error)
        }
    }

    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
