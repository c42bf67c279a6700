/// One numbered schema change: the file `Migrations/NNNN_name.sql`.
public struct Migration: Equatable, Sendable {
    /// Its number: 1, 2, 3, ... in the order migrations run.
    public var version: Int
    /// The part of the file name after the number (`initial` for `0001_initial.sql`).
    public var name: String
    /// The file's SQL (one or more statements).
    public var sql: String

    /// Makes a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
