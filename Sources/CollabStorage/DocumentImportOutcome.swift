/// What `DocumentImporter.importText` did.
public enum DocumentImportOutcome: Equatable, Sendable {
    /// A new document was created: its first op is stored as version 0, so it is at version 1.
    case created(version: Int)
    /// An existing document's text was replaced by one new op; the document is now at `version`.
    case replaced(version: Int)
    /// The document already had exactly this text; nothing was stored.
    case unchanged(version: Int)
}
