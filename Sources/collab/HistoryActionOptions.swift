import CollabCLI
import CollabJSON
import CollabOT
import CollabStorage
import Foundation

/// What the writing history commands (`tag`, `restore`, `delete`, `compact`) share: the
/// local-or-remote switch, the local author, and the warning about a running server.
enum HistoryActionOptions {
    /// `--user`: who a local write is recorded as (with `--server`, the token's `sub`).
    static let userOption = OptionSpec.option(
        "--user", value: "name", help: "Who the change is recorded as in the local database (with --server: the token's sub).",
        defaultValue: "operator")

    /// The sentence every writing command's help carries.
    static let runningServerNote = """
        On a local database (--db) the change is not coordinated with a running server: a \
        server that has the document open keeps the text it holds. While a server holds the \
        document, use --server (and --token) so the change goes through it.
        """

    /// The server to send to, when `--server` is given.
    static func remote(_ context: CommandContext) throws(CLIError) -> RemoteOperatorSource? {
        context.arguments.string("--server") == nil ? nil : try RemoteOperatorSource(context)
    }

    /// The `--user` for a local write.
    static func user(_ context: CommandContext) -> String {
        context.arguments.string("--user") ?? "operator"
    }

    /// `body`, its storage error as the command's failure.
    static func storage<T>(_ context: CommandContext, _ body: () throws(StorageError) -> T) throws(CLIError) -> T {
        do {
            return try body()
        } catch {
            throw OperatorStore.failure(context, error, path: OperatorStore.path(context))
        }
    }

    /// `body`, its replay error as the command's failure.
    static func history<T>(_ context: CommandContext, _ body: () throws(DocumentHistoryError) -> T) throws(CLIError) -> T {
        do {
            return try body()
        } catch {
            throw OperatorStore.failure(context, error, path: OperatorStore.path(context))
        }
    }

    /// The integer member `key` of a JSON answer, if it is one.
    static func integer(_ key: String, in answer: JSONValue?) -> Int? {
        guard case .object(let object)? = answer, case .integer(let value)? = object[key] else { return nil }
        return value
    }

    /// Whether the JSON answer has `key: true`.
    static func isTrue(_ key: String, in answer: JSONValue?) -> Bool {
        guard case .object(let object)? = answer, case .bool(true)? = object[key] else { return false }
        return true
    }

    /// The current time in milliseconds since the epoch.
    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
