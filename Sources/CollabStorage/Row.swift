import CSQLite
import Foundation

/// The current row of a `Statement`, read by 0-based column index.
///
/// Valid until the statement's next `step()` or `reset()`. NULL reads as 0, "" or empty bytes
/// (as SQLite converts it); use `isNull` to tell them apart.
public struct Row {
    let statement: Statement

    /// The number of columns.
    public var count: Int { statement.columnCount }

    /// True if the column is NULL.
    public func isNull(_ index: Int) -> Bool {
        sqlite3_column_type(statement.handle, Int32(clamping: index)) == SQLITE_NULL
    }

    /// The column as a 64-bit integer.
    public func int64(_ index: Int) -> Int64 {
        sqlite3_column_int64(statement.handle, Int32(clamping: index))
    }

    /// The column as an integer.
    public func int(_ index: Int) -> Int {
        Int(int64(index))
    }

    /// The column as a double.
    public func double(_ index: Int) -> Double {
        sqlite3_column_double(statement.handle, Int32(clamping: index))
    }

    /// The column as text (its UTF-8 bytes decoded, invalid sequences repaired).
    public func string(_ index: Int) -> String {
        let column = Int32(clamping: index)
        // text before bytes: the byte count is of the converted value.
        guard let text = sqlite3_column_text(statement.handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement.handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column as text, or nil if it is NULL.
    public func optionalString(_ index: Int) -> String? {
        isNull(index) ? nil : string(index)
    }

    /// The column's bytes.
    public func bytes(_ index: Int) -> [UInt8] {
        let column = Int32(clamping: index)
        guard let blob = sqlite3_column_blob(statement.handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(statement.handle, column))
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }

    /// The column's bytes as `Data`, or nil if it is NULL.
    public func data(_ index: Int) -> Data? {
        isNull(index) ? nil : Data(bytes(index))
    }

    /// The column in its own storage class.
    public func value(_ index: Int) -> SQLValue {
        switch sqlite3_column_type(statement.handle, Int32(clamping: index)) {
        case SQLITE_INTEGER: .integer(int64(index))
        case SQLITE_FLOAT: .real(double(index))
        case SQLITE_TEXT: .text(string(index))
        case SQLITE_BLOB: .blob(bytes(index))
        default: .null
        }
    }
}

@available(*, unavailable)
extension Row: Sendable {}
