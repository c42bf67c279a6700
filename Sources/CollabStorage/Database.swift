import CSQLite

/// One SQLite connection.
///
/// A connection is confined to one thread at a time: it is not `Sendable`, so the compiler
/// keeps it where it was made (it is opened with `SQLITE_OPEN_NOMUTEX`). Open one per thread;
/// in WAL mode readers on their own connections read while one writer writes.
public final class Database {
    /// How to open the file.
    public enum OpenMode: Sendable {
        case readOnly
        case readWrite
        /// Read-write, creating the file if it does not exist.
        case readWriteCreate
    }

    let handle: OpaquePointer
    /// The path the connection was opened with (`:memory:` for a private in-memory database).
    public let path: String
    private var statementCache: [String: Statement] = [:]

    /// Opens (or creates) the database at `path`.
    /// - Parameter busyTimeout: how long to wait for another connection's lock, in milliseconds.
    public init(path: String, mode: OpenMode = .readWriteCreate, busyTimeout: Int = 5_000) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError.last(on: connection, code: code, sql: nil)
            sqlite3_close_v2(connection)
            throw SQLiteError(extendedCode: error.extendedCode,
                              message: "cannot open \(path): \(error.message)")
        }
        self.handle = connection
        self.path = path
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, Int32(clamping: busyTimeout))
    }

    deinit {
        statementCache.removeAll()
        // close_v2 defers the close until statements still alive elsewhere are finalized.
        sqlite3_close_v2(handle)
    }

    // MARK: - Statements

    /// Compiles one SQL statement.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(connection: handle, sql: sql, persistent: false)
    }

    /// A compiled statement kept for reuse on this connection, reset and with its bindings cleared.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            statement.clearBindings()
            return statement
        }
        let statement = try Statement(connection: handle, sql: sql, persistent: true)
        statementCache[sql] = statement
        return statement
    }

    /// Runs one or more `;`-separated statements, discarding any rows they return.
    public func execute(_ sql: String) throws(SQLiteError) {
        var utf8 = Array(sql.utf8)
        utf8.append(0)
        let result: SQLiteError? = utf8.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { start in
                var cursor: UnsafePointer<CChar> = start
                while cursor.pointee != 0 {
                    var statement: OpaquePointer?
                    var tail: UnsafePointer<CChar>?
                    let code = sqlite3_prepare_v2(handle, cursor, -1, &statement, &tail)
                    guard code == SQLITE_OK else {
                        return SQLiteError.last(on: handle, code: code,
                                                sql: String(cString: cursor).trimmingWhitespace())
                    }
                    guard let tail, tail > cursor else { break }
                    let text = String(decoding: UnsafeRawBufferPointer(start: cursor, count: tail - cursor)
                        .bindMemory(to: UInt8.self), as: UTF8.self)
                    cursor = tail
                    guard let statement else { continue }  // only whitespace or a comment
                    defer { sqlite3_finalize(statement) }
                    var step = sqlite3_step(statement)
                    while step == SQLITE_ROW {
                        step = sqlite3_step(statement)
                    }
                    guard step == SQLITE_DONE else {
                        return SQLiteError.last(on: handle, code: step,
                                                sql: text.trimmingWhitespace())
                    }
                }
                return nil
            }
        }
        if let result {
            throw result
        }
    }

    // MARK: - Transactions

    /// True between `BEGIN` and `COMMIT`/`ROLLBACK`.
    public var isInTransaction: Bool {
        sqlite3_get_autocommit(handle) == 0
    }

    /// Starts a transaction.
    public func begin(_ kind: TransactionKind = .deferred) throws(SQLiteError) {
        try cachedStatement(kind.beginSQL).run()
    }

    /// Commits the current transaction.
    public func commit() throws(SQLiteError) {
        try cachedStatement("COMMIT TRANSACTION").run()
    }

    /// Rolls the current transaction back, if one is open (SQLite ends some on its own after errors).
    public func rollback() throws(SQLiteError) {
        guard isInTransaction else { return }
        try cachedStatement("ROLLBACK TRANSACTION").run()
    }

    /// Runs `body` in a transaction; commits or rolls back as it says, and rolls back if it throws.
    public func inTransaction(_ kind: TransactionKind = .deferred,
                              _ body: () throws(SQLiteError) -> TransactionCompletion) throws(SQLiteError) {
        try begin(kind)
        let completion: TransactionCompletion
        do {
            completion = try body()
        } catch {
            // The body's error is the one to report; a failed rollback leaves nothing to undo.
            try? rollback()
            throw error
        }
        switch completion {
        case .commit:
            do {
                try commit()
            } catch {
                try? rollback()
                throw error
            }
        case .rollback:
            try rollback()
        }
    }

    // MARK: - Connection state

    /// The rowid of the most recent successful `INSERT` on this connection.
    public var lastInsertRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    /// Rows changed by the most recent `INSERT`, `UPDATE` or `DELETE` on this connection.
    public var changes: Int {
        Int(sqlite3_changes64(handle))
    }

    /// Rows changed since the connection was opened.
    public var totalChanges: Int {
        Int(sqlite3_total_changes64(handle))
    }

    /// Sets how long to wait for another connection's lock before failing with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int) {
        sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
    }

    /// Runs a statement expected to return one row and returns its first column as text
    /// (for example `PRAGMA journal_mode=WAL`); nil if it returns no row.
    public func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try prepare(sql)
        return try statement.step()?.string(0)
    }
}

@available(*, unavailable)
extension Database: Sendable {}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
