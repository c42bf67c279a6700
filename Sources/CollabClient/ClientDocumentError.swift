import CollabOT

/// Why a local edit was refused; the text is unchanged.
public enum ClientDocumentError: Error, Sendable, Hashable {
    /// The document has not been loaded yet (or is being reloaded).
    case notLoaded
    /// The server granted a role that cannot edit.
    case readOnly(DocumentRole)
    /// The edit does not fit the current text.
    case invalidOperation(TextOperationError)
    /// A position or range outside the text (scalar offsets).
    case outOfBounds(position: Int, length: Int)
}
