import CSQLite

/// An error reported by SQLite, with the statement that caused it.
///
/// Prints as `SQLite error 19: UNIQUE constraint failed: ops.doc, ... - while executing INSERT ...`.
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The extended result code (for example `SQLITE_CONSTRAINT_UNIQUE`).
    public var extendedCode: SQLiteResultCode
    /// SQLite's message for this failure (`sqlite3_errmsg`).
    public var message: String
    /// The SQL being prepared or executed, if any.
    public var sql: String?

    /// Makes an error from its parts.
    public init(extendedCode: SQLiteResultCode, message: String? = nil, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message ?? extendedCode.description
        self.sql = sql
    }

    /// The primary result code (for example `SQLITE_CONSTRAINT`).
    public var code: SQLiteResultCode { extendedCode.primary }

    public var description: String {
        var text = "SQLite error \(code.rawValue): \(message)"
        if let sql {
            text += " - while executing \(sql)"
        }
        return text
    }

    /// The error SQLite last recorded on `connection` for result `code`.
    static func last(on connection: OpaquePointer?, code: Int32, sql: String?) -> SQLiteError {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        // A connection's last error can be stale when the failure did not come from it.
        let useExtended = extended & 0xFF == code & 0xFF
        let message = connection.map { String(cString: sqlite3_errmsg($0)) }
        return SQLiteError(extendedCode: SQLiteResultCode(rawValue: useExtended ? extended : code),
                           message: useExtended ? message : nil,
                           sql: sql)
    }
}
