import CollabCLI
import CollabPostgresStorage
import CollabStorage
import Foundation

/// `collab copy`: copies documents with their whole history from one database to another.
enum CopyCommand {
    static let spec = CommandSpec(
        name: "copy",
        abstract: "Copy documents with their history between databases.",
        discussion: """
            Copies every document of --from (or each --doc) into --to with everything stored \
            about it: its operations with their times, users, client ids and seqs, its \
            snapshots, its named versions, its clients' exactly-once records and its list \
            of authors, and for a compacted document its horizon. Either side is a SQLite file or a postgres:// \
            URL: this moves a deployment from SQLite to PostgreSQL, back again, or between \
            two databases of one kind. A document that passes 'collab verify' at the source \
            passes it at the destination, and exports, history and blame read the same there.

            A SQLite destination is created if it does not exist; a PostgreSQL one must exist \
            (createdb) and gets its tables. Either is migrated first, as 'collab migrate' \
            would. A document the destination already has is refused, before anything is \
            copied, unless --replace: then its copy there is deleted and written again. \
            Operations are written 1,000 to a transaction; a document whose copy fails \
            part-way is deleted from the destination again, so running the command again \
            (with --replace for the documents already copied) resumes. Prints one line per \
            document, then a total.

            The source is only read, and each document is copied as it was when its copy \
            began. Stop the servers that write to the source first (or copy documents nobody \
            is editing): a document edited during its copy can arrive with its clients' \
            records out of step with its operations, which 'collab verify' reports. A URL's \
            password is never printed; keep it out of your shell history with a variable, \
            such as --to "$PG_URL".
            """,
        options: [
            .option("--from", value: "db", help: "The database to copy from: a SQLite file or a postgres:// URL.",
                    isRequired: true),
            .option("--to", value: "db",
                    help: "The database to copy into: a SQLite file (created if missing) or a postgres:// URL.",
                    isRequired: true),
            .repeatable("--doc", value: "id", help: "Copy only this document; repeat for more. Default: every document."),
            .flag("--replace", help: "Delete a document the destination already has, then copy it."),
        ],
        examples: [
            CommandExample("Move a SQLite deployment to PostgreSQL (with the server stopped):",
                           "collab copy --from collab.sqlite --to postgres://collab:pw@db/collab"),
            CommandExample("Copy one document back into a SQLite file, replacing the copy it has:",
                           "collab copy --from \"$PG_URL\" --to old.sqlite --doc notes --replace"),
            CommandExample("Check both ends afterwards:",
                           "collab verify --db collab.sqlite && collab verify --db \"$PG_URL\""),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        let from = try OperatorStore.location(context, arguments.string("--from") ?? "", option: "--from")
        let to = try OperatorStore.location(context, arguments.string("--to") ?? "", option: "--to")
        guard !isSameDatabase(from, to) else {
            throw context.usageError("--from and --to name the same database (\(from)).")
        }
        let replacing = arguments.flag("--replace")
        let source = try OperatorStore.openForReading(context, at: from)
        let ids = try documents(context, in: source, at: from)
        let destination = try OperatorStore.openForWriting(context, at: to, creating: true)
        // Two spellings of one server (localhost, 127.0.0.1) pass the check above; --replace
        // would then delete the documents it is about to read.
        if let identity = serverIdentity(source), identity == serverIdentity(destination) {
            throw context.usageError("--from and --to name the same database (\(from) and \(to)).")
        }
        if !replacing {
            let present: Set<String>
            do {
                present = Set(try destination.documentIDs())
            } catch {
                throw OperatorStore.failure(context, error, path: to.description)
            }
            let clashing = ids.filter(present.contains)
            guard clashing.isEmpty else {
                let list = clashing.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
                    + (clashing.count > 5 ? " and \(clashing.count - 5) more" : "")
                throw context.failure(
                    "\(to) already has \(clashing.count == 1 ? "document" : "documents") \(list); nothing was copied. "
                        + "Use --replace to delete \(clashing.count == 1 ? "it" : "them") there and copy again, "
                        + "or --doc to choose others.")
            }
        }
        let copier = DocumentCopier(from: source, to: destination)
        let width = ids.map(\.count).max() ?? 0
        var totalOps = 0
        for doc in ids {
            let report: DocumentCopyReport
            do {
                report = try copier.copy(doc, replacing: replacing)
            } catch {
                throw failure(context, error, from: from, to: to)
            }
            totalOps += report.ops
            context.output.printLine(line(for: report, width: width))
        }
        context.output.printLine("copied \(VerifyCommand.plural(ids.count, "document")) "
                                 + "(\(VerifyCommand.plural(totalOps, "operation"))) from \(from) to \(to)")
        return ExitStatus.success
    }

    /// The documents to copy: each `--doc` once, in the order given (each must exist at the
    /// source), else every document of the source.
    private static func documents(_ context: CommandContext, in source: any HistoryStore, at from: DatabaseLocation)
        throws(CLIError) -> [String] {
        let all: [DocumentInfo]
        do {
            all = try source.listDocuments()
        } catch {
            throw OperatorStore.failure(context, error, path: from.description)
        }
        let requested = context.arguments.strings("--doc")
        guard !requested.isEmpty else { return all.map(\.id) }
        let known = Set(all.map(\.id))
        var seen: Set<String> = []
        var ids: [String] = []
        for doc in requested where seen.insert(doc).inserted {
            guard known.contains(doc) else {
                throw context.failure("no document '\(doc)' in \(from); nothing was copied. "
                                      + "'collab docs --db \(from)' lists the documents.")
            }
            ids.append(doc)
        }
        return ids
    }

    /// `notes  42 operations, 1 snapshot, 2 named versions, 3 clients` and what was special.
    static func line(for report: DocumentCopyReport, width: Int) -> String {
        var parts = [VerifyCommand.plural(report.ops, "operation"), VerifyCommand.plural(report.snapshots, "snapshot"),
                     VerifyCommand.plural(report.namedVersions, "named version"), VerifyCommand.plural(report.clients, "client")]
        if report.horizon > 0 {
            parts.append("compacted at version \(report.horizon)")
        }
        if report.replaced {
            parts.append("replaced")
        }
        return "copied  \(OperatorStore.rightPadded(report.doc, width))  " + parts.joined(separator: ", ")
    }

    /// Whether two locations are one database: the same file, or the same PostgreSQL database
    /// on the same server (whoever logs in).
    static func isSameDatabase(_ a: DatabaseLocation, _ b: DatabaseLocation) -> Bool {
        switch (a, b) {
        case (.sqlite(let first), .sqlite(let second)):
            let standardized = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
            if standardized(first) == standardized(second) { return true }
            // Hard links: one file (device and inode) under two names.
            let file = { (path: String) -> [AnyHashable]? in
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                      let device = attributes[.systemNumber] as? AnyHashable,
                      let inode = attributes[.systemFileNumber] as? AnyHashable else { return nil }
                return [device, inode]
            }
            guard let one = file(first) else { return false }
            return one == file(second)
        case (.postgres(let first), .postgres(let second)):
            let one = first.configuration
            let two = second.configuration
            return one.host == two.host && one.port == two.port && (one.database ?? one.user) == (two.database ?? two.user)
        default:
            return false
        }
    }

    /// What two sessions on one PostgreSQL database share and sessions on two databases do not:
    /// the database's name, the server's port and the time the server started. Nil for SQLite
    /// (whose files `isSameDatabase` compares) or when the server does not say.
    private static func serverIdentity(_ store: any HistoryStore) -> String? {
        guard let postgres = store as? PostgresOpStore,
              let result = try? postgres.connection.query(
                  "SELECT concat_ws(' ', current_database(), inet_server_port(), pg_postmaster_start_time())")
        else { return nil }
        return result.rows.first?.first ?? nil
    }

    /// A copy error as a one-line failure naming the database at fault.
    private static func failure(_ context: CommandContext, _ error: DocumentCopyError, from: DatabaseLocation,
                                to: DatabaseLocation) -> CLIError {
        switch error {
        case .unknownDocument(let doc):
            return context.failure("no document '\(doc)' in \(from) any more; it was deleted during the copy.")
        case .documentExists(let doc, let version):
            return context.failure("\(to) already has document '\(doc)' (version \(version)). "
                                   + "Use --replace to delete it there and copy again.")
        case .sourceIncomplete:
            return context.failure("cannot copy from \(from): \(error). "
                                   + "'collab verify --db \(from)' checks it.")
        case .source(let storage):
            return OperatorStore.failure(context, storage, path: from.description)
        case .destination(let storage):
            return OperatorStore.failure(context, storage, path: to.description)
        }
    }
}
