import CollabOT

/// Why the text of a document at some version could not be rebuilt from its op log.
public enum DocumentHistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The document has no op stored.
    case unknownDocument(String)
    /// The version asked for is above the document's current one.
    case versionNotFound(doc: String, requested: Int, current: Int)
    /// The op log skips a version: `expected` was next, `found` came instead (nil: nothing came).
    case missingVersion(doc: String, expected: Int, found: Int?)
    /// A stored op is not a valid op.
    case undecodableOp(doc: String, version: Int, reason: String)
    /// A stored op does not fit the text it is stored against.
    case opDoesNotApply(doc: String, version: Int, TextOperationError)
    /// The version lies below the document's compaction horizon: its ops are gone.
    case versionGone(doc: String, requested: Int, horizon: Int)
    /// Reading the store failed.
    case storage(StorageError)

    public var description: String {
        switch self {
        case .unknownDocument(let doc):
            "no document '\(doc)' (it has no stored operation)"
        case .versionNotFound(let doc, let requested, let current):
            "document '\(doc)' is at version \(current); version \(requested) does not exist"
        case .missingVersion(let doc, let expected, let found?):
            "document '\(doc)': the op log skips from version \(expected) to \(found)"
        case .missingVersion(let doc, let expected, nil):
            "document '\(doc)': the op log ends before version \(expected)"
        case .undecodableOp(let doc, let version, let reason):
            "document '\(doc)': the op stored as version \(version) cannot be decoded (\(reason))"
        case .opDoesNotApply(let doc, let version, let error):
            "document '\(doc)': the op stored as version \(version) does not fit the text (\(error))"
        case .versionGone(let doc, let requested, let horizon):
            "document '\(doc)' was compacted at version \(horizon); version \(requested) is gone"
        case .storage(let error):
            error.description
        }
    }
}
