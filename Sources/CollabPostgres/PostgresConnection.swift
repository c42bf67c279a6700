import CollabTransport

/// One PostgreSQL session over a blocking socket of its own: it executes the actions of a
/// `PostgresConnectionStateMachine`. Not thread-safe: use it from one thread at a time.
public final class PostgresConnection {
    private let socket: PostgresSocket
    private let configuration: PostgresConfiguration
    private var machine: PostgresConnectionStateMachine
    private var decoder = PostgresBackendMessageDecoder()

    /// Called with each NoticeResponse (warnings, RAISE NOTICE, ...).
    public var onNotice: ((PostgresDiagnostic) -> Void)?

    /// The transaction status of the last ReadyForQuery.
    public private(set) var transactionStatus: PostgresTransactionStatus = .idle

    /// The server's run-time parameters (server_version, TimeZone, ...).
    public var serverParameters: [String: String] { machine.parameters }

    /// The backend's process id (for pg_terminate_backend, logs).
    public var backendProcessID: Int32? { machine.backendKey?.processID }

    /// True once closed by `close()` or a fatal failure; every later call throws.
    public var isClosed: Bool { machine.isClosed }

    private enum Outcome {
        case connected
        case results([PostgresQueryResult])
    }

    private init(socket: PostgresSocket, configuration: PostgresConfiguration, nonce: String) {
        self.socket = socket
        self.configuration = configuration
        self.machine = PostgresConnectionStateMachine(
            user: configuration.user, password: configuration.password, database: configuration.database,
            requireTLS: configuration.sslMode == .require, scramNonce: nonce)
    }

    /// Opens a session: TCP, TLS when required, startup and authentication, up to the first
    /// ReadyForQuery. A refused login throws `.server` with the server's SQLSTATE (28P01 for a
    /// wrong password).
    public static func connect(_ configuration: PostgresConfiguration) throws(PostgresError) -> PostgresConnection {
        let socket = try PostgresSocket(host: configuration.host, port: configuration.port,
                                        timeout: configuration.connectTimeout)
        let connection = PostgresConnection(socket: socket, configuration: configuration,
                                            nonce: SCRAMSHA256.randomNonce())
        _ = try connection.run(connection.machine.start())
        // Queries may legitimately take longer than connecting; the server's own
        // statement_timeout is the place to bound them.
        socket.setTimeout(.zero)
        return connection
    }

    /// Runs one statement with text parameters ($1, $2, ...; nil = NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresQueryResult {
        let results = try pipeline([PostgresQuery(sql, parameters)])
        guard let result = results.first else { throw .protocolViolation("no result for a statement") }
        return result
    }

    /// Sends every statement before one Sync, in one write, and waits for all of them. Outside a
    /// transaction block they run in one implicit transaction: all take effect or, on the first
    /// error (thrown), none.
    public func pipeline(_ queries: [PostgresQuery]) throws(PostgresError) -> [PostgresQueryResult] {
        guard case .results(let results) = try run(machine.execute(queries)) else {
            throw .protocolViolation("startup outcome for a query")
        }
        return results
    }

    /// Runs `sql` with the simple query protocol: several statements separated by ';' (e.g. a
    /// migration), no parameters; one result per statement. Outside a transaction block they
    /// run as one implicit transaction.
    public func simpleQuery(_ sql: String) throws(PostgresError) -> [PostgresQueryResult] {
        guard case .results(let results) = try run(machine.simpleQuery(sql)) else {
            throw .protocolViolation("startup outcome for a query")
        }
        return results
    }

    /// Ends the session with Terminate and closes the socket. Idempotent.
    public func close() {
        if machine.isClosed {
            socket.close()
            return
        }
        _ = try? run(machine.close())
    }

    deinit { socket.close() }

    /// Executes `first` and every action it leads to, until an outcome for the caller.
    private func run(_ first: PostgresConnectionAction) throws(PostgresError) -> Outcome {
        var action = first
        while true {
            switch action {
            case .send(let messages):
                do throws(PostgresError) {
                    try socket.write(PostgresFrontendMessage.encode(messages))
                } catch {
                    action = machine.connectionLost("\(error)")
                    continue
                }
                action = .read
            case .startTLS:
                do throws(PostgresError) {
                    let context: TLSContext
                    do {
                        context = try TLSContext(configuration: .client(verification: .none))
                    } catch {
                        throw PostgresError.tls("\(error)")
                    }
                    try socket.startTLS(context: context, serverName: configuration.host)
                } catch {
                    socket.close()
                    throw error
                }
                action = machine.tlsEstablished()
            case .read:
                action = nextEvent()
            case .connected(let status):
                transactionStatus = status
                return .connected
            case .succeedQueries(let results, let status):
                transactionStatus = status
                return .results(results)
            case .failQueries(let error, let status):
                transactionStatus = status
                throw error
            case .notice(let diagnostic):
                onNotice?(diagnostic)
                action = .read
            case .closeConnection(let error):
                socket.close()
                throw error
            case .sendAndClose(let messages):
                try? socket.write(PostgresFrontendMessage.encode(messages))
                socket.close()
                throw .connectionClosed
            }
        }
    }

    /// The machine's answer to the next decoded message, reading from the socket when the
    /// decoder needs more bytes. The SSLRequest answer is one raw byte, outside the decoder.
    private func nextEvent() -> PostgresConnectionAction {
        if machine.awaitsSSLResponse {
            do throws(PostgresError) {
                let byte = try socket.readRaw(maximum: 1)
                guard let first = byte.first else { return machine.connectionLost("closed before answering SSLRequest") }
                return machine.sslResponse(first)
            } catch {
                return machine.connectionLost("\(error)")
            }
        }
        while true {
            do throws(PostgresDecodingError) {
                if let message = try decoder.next() { return machine.received(message) }
            } catch {
                return machine.decodingFailed(error)
            }
            do throws(PostgresError) {
                let bytes = try socket.read()
                if bytes.isEmpty { return machine.connectionLost("the server closed the connection") }
                decoder.feed(bytes)
            } catch {
                if case .connectionLost(let reason, _) = error { return machine.connectionLost(reason) }
                return machine.connectionLost("\(error)")
            }
        }
    }
}
