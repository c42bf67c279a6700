/// A five-character SQLSTATE code, with the ones the project acts on as static members.
public struct PostgresSQLState: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The code, e.g. "23505".
    public let code: String

    /// Wraps `code` as the server sent it.
    public init(_ code: String) { self.code = code }

    public init(stringLiteral value: String) { self.code = value }

    /// The class (first two characters), e.g. "23" for integrity constraint violations.
    public var codeClass: String { String(code.prefix(2)) }

    public var description: String { code }

    /// 23505: a unique index refused a duplicate key.
    public static let uniqueViolation: PostgresSQLState = "23505"
    /// 23503.
    public static let foreignKeyViolation: PostgresSQLState = "23503"
    /// 23502.
    public static let notNullViolation: PostgresSQLState = "23502"
    /// 40001: retry the transaction.
    public static let serializationFailure: PostgresSQLState = "40001"
    /// 40P01: retry the transaction.
    public static let deadlockDetected: PostgresSQLState = "40P01"
    /// 57P01: the server is shutting down (or the backend was terminated).
    public static let adminShutdown: PostgresSQLState = "57P01"
    /// 57P02: another backend crashed.
    public static let crashShutdown: PostgresSQLState = "57P02"
    /// 57P03: the server is starting up or not accepting connections.
    public static let cannotConnectNow: PostgresSQLState = "57P03"
    /// 57014: statement timeout or cancel.
    public static let queryCanceled: PostgresSQLState = "57014"
    /// 28P01: wrong password.
    public static let invalidPassword: PostgresSQLState = "28P01"
    /// 28000: no pg_hba.conf entry, role may not log in, ...
    public static let invalidAuthorizationSpecification: PostgresSQLState = "28000"
    /// 3D000: the database does not exist.
    public static let invalidCatalogName: PostgresSQLState = "3D000"
    /// 42P01: the table does not exist.
    public static let undefinedTable: PostgresSQLState = "42P01"
    /// 42601.
    public static let syntaxError: PostgresSQLState = "42601"
    /// 25P02: a statement in a failed transaction block.
    public static let inFailedSQLTransaction: PostgresSQLState = "25P02"
    /// 53300.
    public static let tooManyConnections: PostgresSQLState = "53300"
}
