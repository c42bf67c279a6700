import CollabCLI
import CollabJSON
import CollabOT
import CollabPostgresStorage
import CollabStorage
import Foundation

/// What the operator commands share: opening `--db` (a SQLite file or a PostgreSQL URL),
/// turning storage errors into messages that say what to do, reading times, and formatting ops.
enum OperatorStore {
    /// `--db` as messages name it: the path, or the URL with its password hidden (never the
    /// value as typed, which may hold one).
    static func path(_ context: CommandContext) -> String {
        DatabaseLocation.displayName(databaseValue(context))
    }

    /// The `--db` value as given.
    private static func databaseValue(_ context: CommandContext) -> String {
        context.arguments.string("--db") ?? "./collab.sqlite"
    }

    /// Where `--db` points; a failure (exit 1) saying what is wrong with a malformed URL.
    static func location(_ context: CommandContext) throws(CLIError) -> DatabaseLocation {
        try location(context, databaseValue(context), option: "--db")
    }

    /// Where the value of `option` points; a failure (exit 1) saying what is wrong with a
    /// malformed URL, without its password.
    static func location(_ context: CommandContext, _ text: String, option: String) throws(CLIError)
        -> DatabaseLocation {
        do {
            return try DatabaseLocation(text)
        } catch {
            throw context.failure("invalid \(option) URL: \(error).")
        }
    }

    /// Opens `--db` read-only (never creating it): safe while the server writes. SQLite's WAL
    /// readers see each commit as it lands; a PostgreSQL session is set read-only.
    static func openForReading(_ context: CommandContext) throws(CLIError) -> any HistoryStore {
        try openForReading(context, at: try location(context))
    }

    /// Opens `location` read-only; its schema must be current.
    static func openForReading(_ context: CommandContext, at location: DatabaseLocation) throws(CLIError)
        -> any HistoryStore {
        if case .sqlite(let path) = location { try requireFile(context, path) }
        do {
            switch location {
            case .sqlite(let path):
                return try SQLiteOpStore.openForReading(path: path)
            case .postgres(let url):
                return try PostgresOpStore.openForReading(url.configuration)
            }
        } catch {
            throw failure(context, error, path: location.description)
        }
    }

    /// Opens `--db` for writing (a SQLite file must exist), applying pending migrations as the
    /// server would.
    static func openForWriting(_ context: CommandContext) throws(CLIError) -> any HistoryStore {
        try openForWriting(context, at: try location(context), creating: false)
    }

    /// Opens `location` for writing, applying pending migrations; a SQLite file that does not
    /// exist is created only when `creating`. (A PostgreSQL database must exist: its schema is
    /// created in it.)
    static func openForWriting(_ context: CommandContext, at location: DatabaseLocation, creating: Bool)
        throws(CLIError) -> any HistoryStore {
        if case .sqlite(let path) = location, !creating { try requireFile(context, path) }
        do {
            switch location {
            case .sqlite(let path):
                return try SQLiteOpStore.openForWriting(path: path)
            case .postgres(let url):
                return try PostgresOpStore.open(url.configuration)
            }
        } catch {
            throw failure(context, error, path: location.description)
        }
    }

    private static func requireFile(_ context: CommandContext, _ path: String) throws(CLIError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw context.failure(
                "no database at \(path). Point --db (or COLLAB_DB) at the server's database, "
                    + "or create one with 'collab migrate --db \(path)'.")
        }
    }

    /// A storage error as a failure (exit 1) that says what to do; `path` names the database
    /// (a URL with its password hidden).
    static func failure(_ context: CommandContext, _ error: StorageError, path: String) -> CLIError {
        switch error {
        case .migration(.databaseNewer(let databaseVersion, let knownVersion)):
            return context.failure(
                "\(path) has schema version \(databaseVersion), newer than this collab knows "
                    + "(\(knownVersion)). Use the collab that wrote it, or upgrade this one.")
        case .schemaOutdated(let databaseVersion, let knownVersion):
            return context.failure(
                "\(path) has schema version \(databaseVersion); this collab needs \(knownVersion). "
                    + "Run 'collab migrate --db \(path)' first.")
        case .migration(.failed(nil, let sqlite)), .sqlite(let sqlite):
            return context.failure("cannot read \(path): \(sqlite.message).")
        case .database(_, let message):
            // PostgreSQL's messages may span lines (a detail); the failure stays one line.
            let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            return context.failure("\(path): \(line).")
        default:
            return context.failure("\(path): \(error).")
        }
    }

    /// A replay error as a failure (exit 1) that says what to do.
    static func failure(_ context: CommandContext, _ error: DocumentHistoryError, path: String) -> CLIError {
        switch error {
        case .unknownDocument(let doc):
            return context.failure("no document '\(doc)' in \(path). 'collab docs' lists the documents.")
        case .versionNotFound(let doc, let requested, let current):
            return context.failure(
                "document '\(doc)' is at version \(current); version \(requested) does not exist. "
                    + "Use a version from 0 to \(current).")
        case .versionGone(let doc, let requested, let horizon):
            return context.failure(
                "version \(requested) of '\(doc)' is gone: the document was compacted at version \(horizon). "
                    + "Use a version from \(horizon) on, or a named version ('collab versions \(doc)').")
        case .storage(let storage):
            return failure(context, storage, path: path)
        case .missingVersion, .undecodableOp, .opDoesNotApply:
            return context.failure("\(error). 'collab verify --db \(path)' checks the whole database.")
        }
    }

    /// The document's summary; a failure naming `collab docs` if it has no op.
    static func document(_ context: CommandContext, store: any HistoryStore, doc: String) throws(CLIError) -> DocumentInfo {
        let info: DocumentInfo?
        do {
            info = try store.documentInfo(doc: doc)
        } catch {
            throw failure(context, error, path: path(context))
        }
        guard let info else {
            throw failure(context, DocumentHistoryError.unknownDocument(doc), path: path(context))
        }
        return info
    }

    /// The value of a time option in milliseconds, or nil if absent; a usage error if it is not ISO 8601.
    static func time(_ context: CommandContext, _ option: String) throws(CLIError) -> Int64? {
        guard let text = context.arguments.string(option) else { return nil }
        guard let milliseconds = ISO8601Time.parse(text) else {
            throw context.usageError(
                "invalid value '\(text)' for '\(option)': expected an ISO 8601 time such as "
                    + "2025-01-31T12:00:00Z, 2025-01-31T13:00:00+01:00 or 2025-01-31.")
        }
        return milliseconds
    }

    /// `+inserted -deleted @position` of an op (position: where its first change is), or a word
    /// for an op without effect or one that does not decode.
    static func summary(of record: OpRecord) -> String {
        guard let operation = try? record.operation() else { return "(undecodable)" }
        guard !operation.isNoop else { return "(no change)" }
        var inserted = 0
        var deleted = 0
        var position: Int?
        var offset = 0
        for component in operation.components {
            switch component {
            case .retain(let n):
                offset += n
            case .insert(let text):
                inserted += text.unicodeScalars.count
                position = position ?? offset
            case .delete(let n):
                deleted += n
                position = position ?? offset
                offset += n
            }
        }
        return "+\(inserted) -\(deleted) @\(position ?? 0)"
    }

    /// `text` quoted for a POSIX shell when it needs it, for commands printed as hints.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "-_./:=+,@%".unicodeScalars.contains($0)
        }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `text` padded with spaces on the left to `width` characters.
    static func leftPadded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// `text` padded with spaces on the right to `width` characters.
    static func rightPadded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
