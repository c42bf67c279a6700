import CollabOT
import CollabJSON

/// Stores a text as a document's next op, as `collab import` does.
///
/// The op is authored by `user` (`"system"` by default) from a fresh `clientId` with `seq` 1.
/// A new document gets one insert, stored as version 0 (the document is then at version 1);
/// an existing one, when replacing is allowed, gets one op that deletes the whole text and
/// inserts the new one, appended as its next version: history is never rewritten. The append
/// checks the version it read, so a concurrent writer makes it fail with nothing stored.
public struct DocumentImporter {
    /// The user id import ops are stored under.
    public static let systemUser = "system"

    /// The store written to.
    public let store: any OpStore
    /// The author of the ops.
    public var user: String = DocumentImporter.systemUser

    /// An importer writing to `store` (SQLite or PostgreSQL).
    public init(store: any OpStore) {
        self.store = store
    }

    /// A client id for one import: `collab-import-` and 12 random letters and digits
    /// (a valid `clientId` under the protocol's rules).
    public static func makeClientId() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] }
        return "collab-import-" + String(suffix)
    }

    /// Stores `text` as the next op of `doc`; refuses an existing document unless `replacing`.
    /// - Parameters:
    ///   - ts: the commit time to store, in milliseconds since the Unix epoch.
    ///   - clientId: the op's client id (see `makeClientId()`).
    public func importText(_ text: String, into doc: String, replacing: Bool, ts: Int64,
                           clientId: String = DocumentImporter.makeClientId())
        throws(DocumentImportError) -> DocumentImportOutcome {
        let current: Int
        do {
            current = try store.currentVersion(doc: doc)
        } catch {
            throw .storage(error)
        }
        var operation = TextOperation()
        var deleted: [String] = []
        if current > 0 {
            guard replacing else { throw .documentExists(doc: doc, version: current) }
            let old: String
            do {
                old = String(try DocumentHistory(store: store, doc: doc).text(atVersion: current))
            } catch {
                throw .history(error)
            }
            if old == text {
                return .unchanged(version: current)
            }
            operation.insert(text)
            operation.delete(old.unicodeScalars.count)
            if !old.isEmpty {
                deleted = [old]
            }
        } else {
            guard !text.isEmpty else { throw .emptyText }
            operation.insert(text)
        }
        let record = OpRecord(
            doc: doc, version: current, clientId: clientId, seq: 1, user: user, ts: ts,
            length: text.unicodeScalars.count, opJSON: operation.json.jsonString,
            deletedJSON: JSONValue.array(deleted.map { .string($0) }).jsonString)
        do {
            try store.append([record])
        } catch {
            throw .storage(error)
        }
        return current == 0 ? .created(version: 1) : .replaced(version: current + 1)
    }
}
