/// A message the server sends (frontend/backend protocol v3), as decoded by
/// `PostgresBackendMessageDecoder`.
public enum PostgresBackendMessage: Sendable, Hashable {
    /// 'R'.
    case authentication(PostgresAuthenticationRequest)
    /// 'S': a run-time parameter's current value (server_version, client_encoding, ...).
    case parameterStatus(name: String, value: String)
    /// 'K': what a cancel request would need.
    case backendKeyData(processID: Int32, secretKey: Int32)
    /// 'Z': the server is ready for a new query.
    case readyForQuery(PostgresTransactionStatus)
    /// 'T'.
    case rowDescription([PostgresColumn])
    /// 'D': one row; nil = NULL.
    case dataRow([[UInt8]?])
    /// 'C': a statement finished, with its tag ("INSERT 0 1", "SELECT 3", ...).
    case commandComplete(tag: String)
    /// '1'.
    case parseComplete
    /// '2'.
    case bindComplete
    /// '3'.
    case closeComplete
    /// 'n': the statement returns no rows.
    case noData
    /// 'I': the query string was empty.
    case emptyQueryResponse
    /// 's': Execute's row limit was reached.
    case portalSuspended
    /// 'E'.
    case errorResponse(PostgresDiagnostic)
    /// 'N'.
    case noticeResponse(PostgresDiagnostic)
    /// 't': the parameter type OIDs of a described statement.
    case parameterDescription([Int32])
    /// 'A': a NOTIFY on a channel this session LISTENs to.
    case notificationResponse(processID: Int32, channel: String, payload: String)
}
