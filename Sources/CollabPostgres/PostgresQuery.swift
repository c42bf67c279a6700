/// One statement for the extended query protocol, with its parameters as text (nil = NULL).
public struct PostgresQuery: Sendable, Hashable {
    /// The SQL, with $1, $2, ... placeholders.
    public var sql: String
    /// The parameters in text format; nil is NULL.
    public var parameters: [String?]
    /// Whether the connection keeps the statement prepared (parsed and planned once, then only
    /// bound): for the statements a session runs again and again, whose SQL text is fixed.
    public var isPrepared: Bool

    /// Creates a statement with `parameters` bound to $1, $2, ...
    public init(_ sql: String, _ parameters: [String?] = [], prepared: Bool = false) {
        self.sql = sql
        self.parameters = parameters
        self.isPrepared = prepared
    }
}
