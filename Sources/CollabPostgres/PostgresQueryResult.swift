/// What one statement returned: its columns, rows in text format, and command tag.
public struct PostgresQueryResult: Sendable, Hashable {
    /// The RowDescription's columns (empty for statements without rows).
    public var columns: [PostgresColumn]
    /// The rows, one text value per column; nil is NULL.
    public var rows: [[String?]]
    /// The CommandComplete tag ("SELECT 2", "INSERT 0 1", ...); empty for an empty query.
    public var commandTag: String

    /// Creates a result.
    public init(columns: [PostgresColumn] = [], rows: [[String?]] = [], commandTag: String = "") {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }

    /// The columns' names, in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The number of rows the command affected or returned, from the tag's last word.
    public var affectedRows: Int? {
        commandTag.split(separator: " ").last.flatMap { Int($0) }
    }
}
