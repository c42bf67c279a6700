import CSQLite
import Foundation

/// One compiled SQL statement. Prepared in `init`, finalized in `deinit`.
///
/// Like its `Database`, it is used from one thread at a time. Rows returned by `step()` read
/// the current row and are valid until the next `step()` or `reset()`.
public final class Statement {
    let handle: OpaquePointer
    private let connection: OpaquePointer
    /// The statement's SQL text.
    public let sql: String

    init(connection: OpaquePointer, sql: String, persistent: Bool) throws(SQLiteError) {
        var statement: OpaquePointer?
        var remainder = ""
        let flags = UInt32(persistent ? SQLITE_PREPARE_PERSISTENT : 0)
        let code = sql.withCString { start in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(connection, start, -1, flags, &statement, &tail)
            if code == SQLITE_OK, let tail {
                remainder = String(cString: tail)
            }
            return code
        }
        guard code == SQLITE_OK else {
            throw SQLiteError.last(on: connection, code: code, sql: sql)
        }
        guard let statement else {
            throw SQLiteError(extendedCode: .misuse, message: "no SQL statement to prepare", sql: sql)
        }
        guard remainder.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || $0 == ";" }) else {
            sqlite3_finalize(statement)
            throw SQLiteError(extendedCode: .misuse,
                              message: "prepare takes one statement; use Database.execute for several",
                              sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: - Binding

    /// The number of parameters (`?`, `?NNN`, `:name`, `@name`, `$name`) in the statement.
    public var parameterCount: Int {
        Int(sqlite3_bind_parameter_count(handle))
    }

    /// Binds `value` to the parameter at `index` (1-based, as in SQLite).
    public func bind(_ value: some SQLBindable, at index: Int) throws(SQLiteError) {
        try bind(value.sqlValue, at: Int32(clamping: index))
    }

    /// Binds `value` to the parameter named `name`, prefix included (`":doc"`).
    public func bind(_ value: some SQLBindable, named name: String) throws(SQLiteError) {
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else {
            throw SQLiteError(extendedCode: .range, message: "no parameter named \(name)", sql: sql)
        }
        try bind(value.sqlValue, at: index)
    }

    /// Binds NULL to the parameter at `index` (1-based).
    public func bindNull(at index: Int) throws(SQLiteError) {
        try bind(SQLValue.null, at: Int32(clamping: index))
    }

    /// Binds `values` to parameters 1, 2, 3, ...
    public func bind(_ values: [any SQLBindable]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            try bind(value.sqlValue, at: Int32(clamping: offset + 1))
        }
    }

    /// Sets every parameter back to NULL.
    public func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    private func bind(_ value: SQLValue, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(var text):
            // withUTF8 gives the bytes with their length, so embedded NULs survive.
            code = text.withUTF8 { bytes in
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    // A NULL pointer would bind NULL, not "".
                    return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(handle, index, $0, UInt64(bytes.count),
                                        csqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, raw.count > 0 else {
                    return sqlite3_bind_zeroblob(handle, index, 0)
                }
                return sqlite3_bind_blob64(handle, index, base, UInt64(raw.count), csqlite_transient())
            }
        }
        guard code == SQLITE_OK else {
            throw SQLiteError.last(on: connection, code: code, sql: sql)
        }
    }

    // MARK: - Running

    /// Advances to the next row; nil when the statement is done.
    public func step() throws(SQLiteError) -> Row? {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            return Row(statement: self)
        case SQLITE_DONE:
            return nil
        default:
            let error = SQLiteError.last(on: connection, code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, discarding rows (for `INSERT`, `UPDATE`, ...), then resets it.
    public func run() throws(SQLiteError) {
        while try step() != nil {}
        reset()
    }

    /// Calls `body` with each row in turn, then resets the statement.
    public func forEachRow(_ body: (Row) throws(SQLiteError) -> Void) throws(SQLiteError) {
        defer { reset() }
        while let row = try step() {
            try body(row)
        }
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    public func reset() {
        // The code it returns repeats the last step's error, which step already reported.
        sqlite3_reset(handle)
    }

    // MARK: - Columns

    /// The number of columns in each result row.
    public var columnCount: Int {
        Int(sqlite3_column_count(handle))
    }

    /// The name of the result column at `index` (0-based).
    public func columnName(at index: Int) -> String {
        sqlite3_column_name(handle, Int32(clamping: index)).map { String(cString: $0) } ?? ""
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
