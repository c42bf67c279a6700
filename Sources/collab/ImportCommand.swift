import CollabCLI
import CollabStorage
import Foundation

/// `collab import`: creates a document from a text file.
enum ImportCommand {
    static let spec = CommandSpec(
        name: "import",
        abstract: "Create a document from a text file.",
        discussion: """
            The file must be UTF-8; its text is stored exactly as one operation, by the \
            user 'system' from a client id 'collab-import-' and 12 random characters (seq \
            1), so the document starts at version 1 and its history starts with the import.

            With --force an existing document's whole text is replaced by one new \
            operation (delete everything, insert the file), appended as its next version: \
            history is never rewritten, and 'collab export --version' still gives the old \
            text. A file identical to the current text stores nothing.

            The database must exist ('collab migrate' creates one). Importing into a \
            document that editors have open in a running server is safe: on its next edit \
            the server's room finds the imported version, sends it to its editors and \
            re-applies their edits on top of it.
            """,
        arguments: [
            CollabCommand.documentArgument,
            ArgumentSpec("file", help: "The UTF-8 text file to import; - reads standard input."),
        ],
        options: [
            .flag("--force", help: "Replace the text of a document that already exists; the replacement is stored as one new operation."),
            CollabCommand.databaseOption,
        ],
        examples: [
            CommandExample("Start the document notes from a file:", "collab import notes notes.txt"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let doc = context.arguments.positional("doc") ?? ""
        let file = context.arguments.positional("file") ?? "-"
        guard isValidDocumentID(doc) else {
            throw context.usageError(
                "invalid document id '\(doc)': expected 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit.")
        }
        let bytes: [UInt8]
        do {
            bytes = file == "-" ? try FileIO.read(descriptor: 0) : try FileIO.read(file)
        } catch {
            throw context.failure("cannot read \(file): \(error.reason).")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw context.failure("\(file) is not UTF-8 text; convert it first (for example with iconv -t UTF-8).")
        }
        let store = try OperatorStore.openForWriting(context)
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let clientId = DocumentImporter.makeClientId()
        let outcome: DocumentImportOutcome
        do {
            outcome = try DocumentImporter(store: store).importText(
                text, into: doc, replacing: context.arguments.flag("--force"), ts: now, clientId: clientId)
        } catch {
            switch error {
            case .documentExists(let doc, let version):
                throw context.failure(
                    "document '\(doc)' already exists (version \(version)). Use --force to replace its text "
                        + "with one new operation, or import under another id.")
            case .emptyText:
                throw context.failure("\(file) is empty; every document starts empty, so there is nothing to import.")
            case .history(let history):
                throw OperatorStore.failure(context, history, path: OperatorStore.path(context))
            case .storage(.versionConflict):
                throw context.failure("document '\(doc)' changed while importing; nothing was stored. Try again.")
            case .storage(let storage):
                throw OperatorStore.failure(context, storage, path: OperatorStore.path(context))
            }
        }
        let size = text.unicodeScalars.count
        switch outcome {
        case .created(let version):
            context.output.printLine("created \(doc) at version \(version): \(size) characters by system (client \(clientId))")
        case .replaced(let version):
            context.output.printLine("replaced the text of \(doc): now version \(version), \(size) characters by system (client \(clientId))")
        case .unchanged(let version):
            context.output.printLine("\(doc) already has this text (version \(version)); nothing stored")
        }
        return ExitStatus.success
    }

    /// The protocol's rule for document ids: 1–128 of [A-Za-z0-9._-], the first alphanumeric.
    static func isValidDocumentID(_ id: String) -> Bool {
        let scalars = Array(id.unicodeScalars)
        guard (1...128).contains(scalars.count) else { return false }
        func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        return isAlphanumeric(scalars[0]) && scalars.allSatisfy { isAlphanumeric($0) || ".-_".unicodeScalars.contains($0) }
    }
}
