import CollabCLI
import CollabStorage

/// Where `docs`, `export`, `history` and `blame` read: the database (`--db`) or a
/// running server (`--server`). Both give the same values, so each command formats them with
/// one piece of code whichever it reads from.
protocol OperatorSource {
    /// Every document's summary, sorted by id, only those whose id starts with `prefix` if given.
    func documents(prefix: String?) throws(CLIError) -> [DocumentInfo]
    /// One document's summary; a failure that says so if it has no op.
    func document(_ doc: String) throws(CLIError) -> DocumentInfo
    /// Up to `limit` ops of `doc` from version `from`, filtered by `user` and `since` (ms).
    func history(doc: String, from: Int, limit: Int, user: String?, since: Int64?) throws(CLIError) -> [OpRecord]
    /// The text of `doc` now, at a version or at a time.
    func text(doc: String, at point: DocumentPoint) throws(CLIError) -> ExportedText
    /// Each line of the current text of `doc` with the op that last wrote it.
    func blame(doc: String) throws(CLIError) -> [BlameLine]
    /// The named versions of `doc`, in version order.
    func namedVersions(doc: String) throws(CLIError) -> [NamedVersion]
}

/// Which text of a document to read.
enum DocumentPoint: Equatable {
    /// The current text.
    case current
    /// The text after this many ops.
    case version(Int)
    /// The text as it was at this time (ms since the epoch).
    case time(Int64)
}

/// A document's text at some version, and when the op that made that version was stored.
struct ExportedText: Equatable {
    var id: String
    var version: Int
    /// Milliseconds since the epoch; nil at version 0.
    var ts: Int64?
    var text: String
}

/// Opens the source the command line names.
enum OperatorSources {
    /// `--server` (a server over HTTP) when given, else `--db` (read-only).
    static func open(_ context: CommandContext) throws(CLIError) -> any OperatorSource {
        if context.arguments.string("--server") != nil {
            return try RemoteOperatorSource(context)
        }
        return LocalOperatorSource(context: context, store: try OperatorStore.openForReading(context))
    }
}
