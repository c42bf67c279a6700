/// What `PostgresConnectionStateMachine` asks its driver to do next.
public enum PostgresConnectionAction: Sendable, Hashable {
    /// Write these messages, in order, then keep reading.
    case send([PostgresFrontendMessage])
    /// The server accepted TLS: run the handshake, then report `tlsEstablished()`.
    case startTLS
    /// Nothing to do but read more.
    case read
    /// Startup finished; the connection is ready.
    case connected(PostgresTransactionStatus)
    /// The queries in flight all succeeded, in order.
    case succeedQueries([PostgresQueryResult], PostgresTransactionStatus)
    /// The server refused one of the queries in flight; none of them took effect unless the
    /// connection is inside an explicit transaction block. The connection stays usable.
    case failQueries(PostgresError, PostgresTransactionStatus)
    /// Pass a notice to whoever listens; keep reading.
    case notice(PostgresDiagnostic)
    /// Close the socket and fail whatever is in flight (connect or queries) with the error.
    case closeConnection(PostgresError)
    /// Write the messages (a polite Terminate), then close the socket.
    case sendAndClose([PostgresFrontendMessage])
}
