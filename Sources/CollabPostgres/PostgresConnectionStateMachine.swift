/// The PostgreSQL session as a pure state machine: events in (messages received, requests,
/// loss of the socket), `PostgresConnectionAction`s out. No I/O, so every path is testable
/// with hand-written messages; `PostgresConnection` only executes the actions.
public struct PostgresConnectionStateMachine: Sendable {
    private enum AuthenticationPhase: Sendable {
        case awaitingRequest
        case passwordSent
        case scram(SCRAMSHA256)
    }

    /// A request in flight: an extended-query batch or a simple query.
    private struct ExtendedQuery: Sendable {
        /// The statements sent; nil for a simple query, whose statement count only the server knows.
        var count: Int?
        var results: [PostgresQueryResult] = []
        var columns: [PostgresColumn] = []
        var rows: [[String?]] = []
        var error: PostgresDiagnostic?
        /// Statements this batch prepares (SQL, name): kept once it succeeded as a whole.
        var preparing: [(sql: String, name: String)] = []
    }

    private enum State: Sendable {
        case initial
        case sslRequestSent
        case tlsHandshake
        case authenticating(AuthenticationPhase)
        /// Authenticated; ParameterStatus and BackendKeyData until the first ReadyForQuery.
        case startingUp
        case ready(PostgresTransactionStatus)
        case extendedQuery(ExtendedQuery)
        case closed
    }

    private let user: String
    private let password: String?
    private let database: String?
    private let requireTLS: Bool
    private let scramNonce: String
    private var state = State.initial
    /// A FATAL ErrorResponse seen just before the server closed the socket.
    private var fatalDiagnostic: PostgresDiagnostic?

    /// The server's run-time parameters (server_version, TimeZone, ...).
    public private(set) var parameters: [String: String] = [:]
    /// The backend's process id and cancel key.
    public private(set) var backendKey: (processID: Int32, secretKey: Int32)?
    /// The session's prepared statements, by SQL. Names are never reused: a batch that failed
    /// may have prepared some of its statements before the error, unrecorded.
    private var prepared: [String: String] = [:]
    private var preparedCount = 0

    /// A machine for one session. `scramNonce` is the SCRAM client nonce (random in production).
    public init(user: String, password: String?, database: String?, requireTLS: Bool, scramNonce: String) {
        self.user = user
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
        self.scramNonce = scramNonce
    }

    /// True once the session is over (closed by either side or failed).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// True between SSLRequest and its one-byte answer, which is read outside the decoder.
    public var awaitsSSLResponse: Bool {
        if case .sslRequestSent = state { return true }
        return false
    }

    /// True when a new request may be sent.
    public var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    // MARK: - Events

    /// The socket is open: ask for TLS or start the session.
    public mutating func start() -> PostgresConnectionAction {
        guard case .initial = state else { return fail(.protocolViolation("start called twice")) }
        if requireTLS {
            state = .sslRequestSent
            return .send([.sslRequest])
        }
        return sendStartup()
    }

    /// The one-byte answer to SSLRequest.
    public mutating func sslResponse(_ byte: UInt8) -> PostgresConnectionAction {
        guard case .sslRequestSent = state else { return fail(.protocolViolation("unexpected SSLRequest answer")) }
        switch byte {
        case UInt8(ascii: "S"):
            state = .tlsHandshake
            return .startTLS
        case UInt8(ascii: "N"):
            return fail(.tls("the server does not accept TLS connections (sslmode=require)"))
        default:
            // An 'E' here is a pre-3.0 server's error; anything else is not PostgreSQL.
            return fail(.protocolViolation("unexpected answer \(byte) to SSLRequest"))
        }
    }

    /// The TLS handshake completed.
    public mutating func tlsEstablished() -> PostgresConnectionAction {
        guard case .tlsHandshake = state else { return fail(.protocolViolation("unexpected TLS handshake")) }
        return sendStartup()
    }

    private mutating func sendStartup() -> PostgresConnectionAction {
        var startup: [(String, String)] = [("user", user)]
        if let database { startup.append(("database", database)) }
        startup.append(("client_encoding", "UTF8"))
        startup.append(("application_name", "collab"))
        state = .authenticating(.awaitingRequest)
        return .send([.startup(parameters: startup)])
    }

    /// Sends `queries` as one extended-query batch (Parse/Bind/Describe/Execute each, one Sync).
    public mutating func execute(_ queries: [PostgresQuery]) -> PostgresConnectionAction {
        switch state {
        case .ready:
            break
        case .closed:
            return .closeConnection(.connectionClosed)
        default:
            return .closeConnection(.invalidArgument("a request is already in flight"))
        }
        var messages: [PostgresFrontendMessage] = []
        var preparing: [(sql: String, name: String)] = []
        for query in queries {
            guard PostgresFrontendMessage.isValidCString(query.sql) else {
                return .failQueries(.invalidArgument("SQL contains a NUL byte"), currentStatus)
            }
            guard query.parameters.count <= Int(Int16.max) else {
                return .failQueries(.invalidArgument("more than 32767 parameters"), currentStatus)
            }
            var statement = ""
            if query.isPrepared {
                if let name = prepared[query.sql] ?? preparing.first(where: { $0.sql == query.sql })?.name {
                    statement = name
                } else {
                    preparedCount += 1
                    statement = "collab_\(preparedCount)"
                    preparing.append((query.sql, statement))
                    messages.append(.parse(statement: statement, query: query.sql, parameterTypes: []))
                }
            } else {
                messages.append(.parse(statement: "", query: query.sql, parameterTypes: []))
            }
            messages.append(.bind(portal: "", statement: statement, parameterFormats: [],
                                  parameters: query.parameters.map { $0.map { Array($0.utf8) } }, resultFormats: []))
            messages.append(.describe(kind: .portal, name: ""))
            messages.append(.execute(portal: "", maxRows: 0))
        }
        messages.append(.sync)
        state = .extendedQuery(ExtendedQuery(count: queries.count, preparing: preparing))
        return .send(messages)
    }

    /// Sends `sql` with the simple query protocol: several statements separated by ';', no
    /// parameters, one result per statement. Outside a transaction block they run as one
    /// implicit transaction.
    public mutating func simpleQuery(_ sql: String) -> PostgresConnectionAction {
        switch state {
        case .ready:
            break
        case .closed:
            return .closeConnection(.connectionClosed)
        default:
            return .closeConnection(.invalidArgument("a request is already in flight"))
        }
        guard PostgresFrontendMessage.isValidCString(sql) else {
            return .failQueries(.invalidArgument("SQL contains a NUL byte"), currentStatus)
        }
        state = .extendedQuery(ExtendedQuery(count: nil))
        return .send([.query(sql)])
    }

    private var currentStatus: PostgresTransactionStatus {
        if case .ready(let status) = state { return status }
        return .idle
    }

    /// The caller closes the session.
    public mutating func close() -> PostgresConnectionAction {
        if case .closed = state { return .closeConnection(.connectionClosed) }
        let polite: Bool
        switch state {
        case .ready, .extendedQuery, .startingUp: polite = true
        default: polite = false
        }
        state = .closed
        return polite ? .sendAndClose([.terminate]) : .closeConnection(.connectionClosed)
    }

    /// The socket reached end of file or failed.
    public mutating func connectionLost(_ reason: String) -> PostgresConnectionAction {
        if case .closed = state { return .closeConnection(.connectionClosed) }
        return fail(.connectionLost(reason: reason, diagnostic: fatalDiagnostic))
    }

    /// The decoder refused the stream.
    public mutating func decodingFailed(_ error: PostgresDecodingError) -> PostgresConnectionAction {
        fail(.protocolViolation(error.description))
    }

    /// One message from the server.
    public mutating func received(_ message: PostgresBackendMessage) -> PostgresConnectionAction {
        // Messages the server may send at any time.
        switch message {
        case .noticeResponse(let diagnostic):
            return .notice(diagnostic)
        case .parameterStatus(let name, let value):
            parameters[name] = value
            return .read
        case .notificationResponse:
            return .read
        case .errorResponse(let diagnostic) where diagnostic.isFatal:
            // The server closes the socket after a FATAL; outside startup the loss is reported
            // then, with this message attached.
            fatalDiagnostic = diagnostic
            switch state {
            case .authenticating, .startingUp:
                return fail(.server(diagnostic))
            default:
                return .read
            }
        default:
            break
        }
        switch state {
        case .authenticating(let phase):
            return authenticate(phase, message)
        case .startingUp:
            switch message {
            case .backendKeyData(let processID, let secretKey):
                backendKey = (processID, secretKey)
                return .read
            case .readyForQuery(let status):
                state = .ready(status)
                return .connected(status)
            case .errorResponse(let diagnostic):
                return fail(.server(diagnostic))
            default:
                return unexpected(message)
            }
        case .extendedQuery(var query):
            return extendedQuery(&query, message)
        case .ready:
            if case .errorResponse = message { return .read } // non-FATAL while idle: nothing to fail
            return unexpected(message)
        case .initial, .sslRequestSent, .tlsHandshake, .closed:
            return unexpected(message)
        }
    }

    // MARK: - Phases

    private mutating func authenticate(_ phase: AuthenticationPhase, _ message: PostgresBackendMessage) -> PostgresConnectionAction {
        guard case .authentication(let request) = message else {
            if case .errorResponse(let diagnostic) = message { return fail(.server(diagnostic)) }
            return unexpected(message)
        }
        switch (request, phase) {
        case (.ok, .awaitingRequest), (.ok, .passwordSent):
            state = .startingUp
            return .read
        case (.ok, .scram(let scram)):
            // The server must have proved itself in SASLFinal before AuthenticationOk.
            guard scram.isComplete else { return fail(.authenticationFailed("AuthenticationOk before SCRAM completed")) }
            state = .startingUp
            return .read
        case (.cleartextPassword, .awaitingRequest):
            guard let password else { return fail(.authenticationFailed("the server asks for a password; none given")) }
            state = .authenticating(.passwordSent)
            return .send([.password(password)])
        case (.md5Password(let salt), .awaitingRequest):
            guard let password else { return fail(.authenticationFailed("the server asks for a password; none given")) }
            guard let response = PostgresMD5Password.response(user: user, password: password, salt: salt) else {
                return fail(.unsupportedAuthentication("MD5 (unavailable in this OpenSSL)"))
            }
            state = .authenticating(.passwordSent)
            return .send([.password(response)])
        case (.sasl(let mechanisms), .awaitingRequest):
            guard mechanisms.contains(SCRAMSHA256.mechanism) else {
                return fail(.unsupportedAuthentication("SASL mechanisms \(mechanisms.joined(separator: ", "))"))
            }
            guard let password else { return fail(.authenticationFailed("the server asks for a password; none given")) }
            var scram = SCRAMSHA256(username: "", password: password, clientNonce: scramNonce)
            let first = scram.clientFirstMessage()
            state = .authenticating(.scram(scram))
            return .send([.saslInitialResponse(mechanism: SCRAMSHA256.mechanism, data: Array(first.utf8))])
        case (.saslContinue(let data), .scram(var scram)):
            do throws(SCRAMError) {
                let final = try scram.clientFinalMessage(serverFirst: String(decoding: data, as: UTF8.self))
                state = .authenticating(.scram(scram))
                return .send([.saslResponse(data: Array(final.utf8))])
            } catch {
                return fail(.authenticationFailed(error.description))
            }
        case (.saslFinal(let data), .scram(var scram)):
            do throws(SCRAMError) {
                try scram.verifyServerFinal(String(decoding: data, as: UTF8.self))
                state = .authenticating(.scram(scram))
                return .read
            } catch {
                return fail(.authenticationFailed(error.description))
            }
        case (.unsupported(let code), _):
            return fail(.unsupportedAuthentication("method code \(code)"))
        default:
            return unexpected(message)
        }
    }

    private mutating func extendedQuery(_ query: inout ExtendedQuery, _ message: PostgresBackendMessage) -> PostgresConnectionAction {
        // While an error is pending the server skips everything up to Sync's ReadyForQuery.
        switch message {
        case .parseComplete, .bindComplete, .closeComplete, .parameterDescription:
            break
        case .rowDescription(let columns):
            query.columns = columns
        case .noData:
            query.columns = []
        case .dataRow(let values):
            query.rows.append(values.map { $0.map { String(decoding: $0, as: UTF8.self) } })
        case .commandComplete(let tag):
            finishStatement(&query, tag: tag)
        case .emptyQueryResponse, .portalSuspended:
            finishStatement(&query, tag: "")
        case .errorResponse(let diagnostic):
            if query.error == nil { query.error = diagnostic }
        case .readyForQuery(let status):
            state = .ready(status)
            if let error = query.error { return .failQueries(.server(error), status) }
            for statement in query.preparing { prepared[statement.sql] = statement.name }
            if let count = query.count, query.results.count != count {
                return fail(.protocolViolation("ReadyForQuery after \(query.results.count) of \(count) results"))
            }
            return .succeedQueries(query.results, status)
        default:
            return unexpected(message)
        }
        state = .extendedQuery(query)
        return .read
    }

    private func finishStatement(_ query: inout ExtendedQuery, tag: String) {
        query.results.append(PostgresQueryResult(columns: query.columns, rows: query.rows, commandTag: tag))
        query.columns = []
        query.rows = []
    }

    private mutating func unexpected(_ message: PostgresBackendMessage) -> PostgresConnectionAction {
        fail(.protocolViolation("unexpected message \(message) in state \(state)"))
    }

    private mutating func fail(_ error: PostgresError) -> PostgresConnectionAction {
        state = .closed
        return .closeConnection(error)
    }
}
