#if canImport(Glibc)
import Glibc
#endif
import CollabCLI
import CollabJSON
import CollabStorage
import CollabTransport

/// The operator commands' reads from a running server over HTTP (`--server`, `--token`):
/// the contract's document text and the collab report endpoints (`GET /v1/docs`,
/// `/v1/docs/{id}/history`, `/blame`, `?at=`).
struct RemoteOperatorSource: OperatorSource {
    /// The most ops one history request asks for (the server's page cap).
    static let maxPage = 1_000

    let context: CommandContext
    let server: HTTPClientURL
    let token: String?
    let client: HTTPClient

    init(_ context: CommandContext) throws(CLIError) {
        let text = context.arguments.string("--server") ?? ""
        guard let server = HTTPClientURL(text), !server.target.contains("?") else {
            throw context.usageError(
                "invalid value '\(text)' for '--server': expected the server's URL, such as "
                    + "http://127.0.0.1:8080 or https://collab.example.com.")
        }
        var configuration = HTTPClient.Configuration()
        configuration.userAgent = "collab/\(CollabCommand.version)"
        if let caFile = context.arguments.string("--ca-file") {
            do {
                configuration.tlsContext = try TLSContext(configuration: .client(verification: .certificateAuthorityFile(caFile)))
            } catch {
                throw context.failure("\(error.message).")
            }
        }
        self.context = context
        self.server = server
        self.token = context.arguments.string("--token").flatMap { $0.isEmpty ? nil : $0 }
        self.client = HTTPClient(configuration: configuration)
    }

    func documents(prefix: String?) throws(CLIError) -> [DocumentInfo] {
        let query = prefix.map { "?prefix=" + Self.percentEncoded($0) } ?? ""
        return try items(get("/v1/docs" + query), DocumentInfo.init(json:))
    }

    func document(_ doc: String) throws(CLIError) -> DocumentInfo {
        guard let info = try documents(prefix: doc).first(where: { $0.id == doc }) else {
            throw context.failure("no document '\(doc)' on \(serverName). "
                                  + "'collab docs --server \(OperatorStore.shellQuoted(serverName))' lists the documents.")
        }
        return info
    }

    func history(doc: String, from: Int, limit: Int, user: String?, since: Int64?) throws(CLIError) -> [OpRecord] {
        var records: [OpRecord] = []
        var next = from
        // The server answers at most `maxPage` ops at a time: ask until `limit` or the end.
        while records.count < limit {
            let asked = min(limit - records.count, Self.maxPage)
            var query = "?from=\(next)&limit=\(asked)"
            if let user { query += "&user=" + Self.percentEncoded(user) }
            if let since { query += "&since=" + Self.percentEncoded(ISO8601Time.format(milliseconds: since)) }
            let page = try items(get(documentPath(doc, "/history") + query)) { OpRecord(historyJSON: $0, doc: doc) }
            records += page
            guard page.count == asked, let last = page.last else { break }
            next = last.version + 1
        }
        return records
    }

    func text(doc: String, at point: DocumentPoint) throws(CLIError) -> ExportedText {
        let query: String
        switch point {
        case .current: query = ""
        case .version(let version): query = "?version=\(version)"
        case .time(let ms): query = "?at=" + Self.percentEncoded(ISO8601Time.format(milliseconds: ms))
        }
        let json = try get(documentPath(doc, "") + query)
        guard case .object(let object) = json, case .string(let id)? = object["id"],
              case .integer(let version)? = object["version"], case .string(let text)? = object["text"] else {
            throw unexpectedAnswer()
        }
        var ts: Int64?
        if case .integer(let value)? = object["ts"] { ts = Int64(value) }
        return ExportedText(id: id, version: version, ts: ts, text: text)
    }

    func namedVersions(doc: String) throws(CLIError) -> [NamedVersion] {
        try items(get(documentPath(doc, "/versions"))) { json in
            guard case .object(let object) = json, case .string(let name)? = object["name"],
                  case .integer(let version)? = object["version"], case .string(let user)? = object["user"],
                  case .string(let time)? = object["time"], let created = ISO8601Time.parse(time) else { return nil }
            return NamedVersion(doc: doc, name: name, version: version, user: user, createdAt: created)
        }
    }

    /// The version `doc` had at `milliseconds` (0 if it did not exist yet).
    func versionAt(doc: String, milliseconds: Int64) throws(CLIError) -> Int {
        var headers = HTTPHeaders([("Accept", "application/json")])
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let target = documentPath(doc, "") + "?at=" + Self.percentEncoded(ISO8601Time.format(milliseconds: milliseconds))
        let response: HTTPClientResponse
        do {
            response = try client.get(server.appending(target), headers: headers)
        } catch {
            throw failure(error)
        }
        // 404 before the document's first op: nothing to fold.
        if response.status == 404 { return 0 }
        guard response.status == 200, case .object(let object)? = try? JSONReader.parse(response.body),
              case .integer(let version)? = object["version"] else {
            throw failure(status: response.status, message: "HTTP \(response.status)")
        }
        return version
    }

    func blame(doc: String) throws(CLIError) -> [BlameLine] {
        try items(get(documentPath(doc, "/blame")), BlameLine.init(json:))
    }

    // MARK: - HTTP

    private var serverName: String {
        server.description.hasSuffix("/") ? String(server.description.dropLast()) : server.description
    }

    func documentPath(_ doc: String, _ suffix: String) -> String {
        "/v1/docs/" + Self.percentEncoded(doc) + suffix
    }

    /// The JSON body of a 200 answer to `GET target`; any other outcome as a failure that
    /// says what to do.
    func get(_ target: String) throws(CLIError) -> JSONValue {
        try send("GET", target) ?? .null
    }

    /// The JSON body of a 2xx answer to `method target` with `body` (nil for 204); any other
    /// outcome as a failure that says what to do.
    func send(_ method: String, _ target: String, body: JSONValue? = nil) throws(CLIError) -> JSONValue? {
        var headers = HTTPHeaders([("Accept", "application/json")])
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let response: HTTPClientResponse
        do {
            response = try client.send(method, server.appending(target), headers: headers, body: body?.encoded())
        } catch {
            throw failure(error)
        }
        if response.status == 204 { return nil }
        let json = try? JSONReader.parse(response.body, maxDepth: 64)
        guard (200..<300).contains(response.status) else {
            var message = "HTTP \(response.status)"
            if case .object(let object)? = json, case .string(let text)? = object["message"] { message = text }
            throw failure(status: response.status, message: message)
        }
        guard let json else { throw unexpectedAnswer() }
        return json
    }

    private func items<T>(_ json: JSONValue, _ decode: (JSONValue) -> T?) throws(CLIError) -> [T] {
        guard case .array(let elements) = json else { throw unexpectedAnswer() }
        var items: [T] = []
        items.reserveCapacity(elements.count)
        for element in elements {
            guard let item = decode(element) else { throw unexpectedAnswer() }
            items.append(item)
        }
        return items
    }

    private func unexpectedAnswer() -> CLIError {
        context.failure("\(serverName) answered with something other than collab's JSON. Is --server the collab server?")
    }

    private func failure(_ error: HTTPClientError) -> CLIError {
        switch error {
        case .connect(let io) where io.errnoCode == ECONNREFUSED:
            return context.failure("cannot connect to \(serverName): connection refused. "
                                   + "Is 'collab serve' running there, and is --server right?")
        case .connect(let io):
            return context.failure("cannot connect to \(serverName): \(io). Check --server.")
        case .tls(let tls):
            return context.failure("\(serverName): \(tls.message). For a server with a private certificate, "
                                   + "pass its CA certificate with --ca-file.")
        default:
            return context.failure("\(serverName): \(error).")
        }
    }

    private func failure(status: Int, message: String) -> CLIError {
        switch status {
        case 401 where token == nil:
            return context.failure("\(serverName) needs a token (\(message)). Pass one with --token or "
                                   + "COLLAB_TOKEN; 'collab token --sub you --role admin' makes one.")
        case 401:
            return context.failure("\(serverName) refused the token (\(message)). Pass a valid, unexpired token "
                                   + "with --token or COLLAB_TOKEN; 'collab token' makes one.")
        case 403:
            return context.failure("\(serverName) does not allow this token to do that (\(message)). "
                                   + "docs, history, compact, delete and removing names need the admin role; "
                                   + "restore and tag an editor's; the other reads a token for the document.")
        default:
            return context.failure("\(serverName): \(message).")
        }
    }

    /// `text` with every byte outside RFC 3986's unreserved set percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
