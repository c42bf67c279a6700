import CollabCLI
import CollabStorage

/// The operator commands' reads from the database (`--db`: a SQLite file or PostgreSQL), read-only.
struct LocalOperatorSource: OperatorSource {
    let context: CommandContext
    let store: any HistoryStore

    private var path: String { OperatorStore.path(context) }

    func documents(prefix: String?) throws(CLIError) -> [DocumentInfo] {
        let documents: [DocumentInfo]
        do {
            documents = try store.listDocuments()
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
        guard let prefix else { return documents }
        return documents.filter { $0.id.hasPrefix(prefix) }
    }

    func document(_ doc: String) throws(CLIError) -> DocumentInfo {
        try OperatorStore.document(context, store: store, doc: doc)
    }

    func history(doc: String, from: Int, limit: Int, user: String?, since: Int64?) throws(CLIError) -> [OpRecord] {
        do {
            return try store.history(doc: doc, from: from, limit: limit, user: user, since: since)
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
    }

    func text(doc: String, at point: DocumentPoint) throws(CLIError) -> ExportedText {
        let info = try document(doc)
        let history = DocumentHistory(store: store, doc: doc)
        let version: Int
        switch point {
        case .current:
            version = info.version
        case .version(let requested):
            version = requested
        case .time(let at):
            do {
                version = try history.version(atOrBefore: at)
            } catch {
                throw OperatorStore.failure(context, error, path: path)
            }
            guard version > 0 else {
                throw context.failure(
                    "document '\(doc)' did not exist yet at \(ISO8601Time.format(milliseconds: at)); "
                        + "its first operation was stored at \(ISO8601Time.format(milliseconds: info.createdAt)).")
            }
        }
        let text: String
        let ts: Int64?
        do {
            text = String(try history.text(atVersion: version))
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
        do {
            ts = version == 0 ? nil : try store.ops(doc: doc, from: version - 1, limit: 1).first?.ts
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
        return ExportedText(id: doc, version: version, ts: ts, text: text)
    }

    func namedVersions(doc: String) throws(CLIError) -> [NamedVersion] {
        _ = try document(doc)
        do {
            return try store.namedVersions(doc: doc)
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
    }

    func blame(doc: String) throws(CLIError) -> [BlameLine] {
        _ = try document(doc)
        do {
            return try Blame.lines(store: store, doc: doc)
        } catch {
            throw OperatorStore.failure(context, error, path: path)
        }
    }
}
