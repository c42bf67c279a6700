/// One of a document's distinct authors (the `document_authors` table): what keeps its author
/// count right as ops arrive, also after compaction removed the author's ops.
public struct DocumentAuthor: Equatable, Sendable {
    /// The author's `sub`.
    public var user: String
    /// The version of the author's first op on the document.
    public var firstVersion: Int

    /// An author row.
    public init(user: String, firstVersion: Int) {
        self.user = user
        self.firstVersion = firstVersion
    }
}
