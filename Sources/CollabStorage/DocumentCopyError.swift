/// Why `DocumentCopier.copy` did not copy a document. Whatever it had written of the document
/// at the destination was deleted again (when the destination still answered).
public enum DocumentCopyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The source has no such document.
    case unknownDocument(String)
    /// The destination already has the document and replacing it was not asked for.
    case documentExists(doc: String, version: Int)
    /// The source's op log ended (or skipped a version) before its summary's version: a
    /// damaged log, or one changed during the copy.
    case sourceIncomplete(doc: String, expected: Int, found: Int?)
    /// Reading the source failed.
    case source(StorageError)
    /// Writing the destination failed.
    case destination(StorageError)

    public var description: String {
        switch self {
        case .unknownDocument(let doc):
            "no document '\(doc)'"
        case .documentExists(let doc, let version):
            "document '\(doc)' already exists at the destination (version \(version))"
        case .sourceIncomplete(let doc, let expected, let found?):
            "the op log of '\(doc)' has version \(found) where version \(expected) should be"
        case .sourceIncomplete(let doc, let expected, nil):
            "the op log of '\(doc)' ends at version \(expected), before its summary's version"
        case .source(let error):
            "reading the source: \(error)"
        case .destination(let error):
            "writing the destination: \(error)"
        }
    }
}
