/// Why `DocumentImporter.importText` stored nothing.
public enum DocumentImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The document exists and replacing it was not asked for.
    case documentExists(doc: String, version: Int)
    /// The text is empty: an empty document needs no op (every document starts empty).
    case emptyText
    /// The existing text could not be rebuilt to replace it.
    case history(DocumentHistoryError)
    /// Storing failed; `.versionConflict` means someone wrote to the document meanwhile.
    case storage(StorageError)

    public var description: String {
        switch self {
        case .documentExists(let doc, let version):
            "document '\(doc)' already exists (version \(version))"
        case .emptyText:
            "the text is empty; an empty document needs no import"
        case .history(let error):
            error.description
        case .storage(.versionConflict(let doc, _, _)):
            "document '\(doc)' changed while importing; nothing was stored"
        case .storage(let error):
            error.description
        }
    }
}
