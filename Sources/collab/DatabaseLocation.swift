import CollabPostgres

/// Where a `--db` (or `copy --from`/`--to`) value points: a SQLite file, or a PostgreSQL
/// database named by a `postgres://` or `postgresql://` URL.
enum DatabaseLocation: Equatable, CustomStringConvertible {
    /// A SQLite database file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresURL)

    /// `text` as a location: a URL when it starts with `postgres://` or `postgresql://`, else a
    /// file path. A malformed URL throws with a message that never includes the password; so
    /// does any other `scheme://` (a mistyped `postgress://` would otherwise be a file name,
    /// echoed with its password in "no database at ...").
    init(_ text: String) throws(PostgresURLError) {
        if Self.isPostgresURL(text) || text.contains("://") {
            self = .postgres(try PostgresURL(text))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Whether `text` is meant as a PostgreSQL URL (so must never be echoed as it is: it may
    /// hold a password).
    static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// How messages name `text`: the path, the URL with its password hidden, or a phrase for a
    /// URL that does not parse.
    static func displayName(_ text: String) -> String {
        guard let location = try? DatabaseLocation(text) else { return "the PostgreSQL URL" }
        return location.description
    }

    /// The path, or the URL with its password replaced by `***`: safe for messages and logs.
    var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.redacted
        }
    }
}
