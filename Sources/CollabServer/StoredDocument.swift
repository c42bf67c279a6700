/// What a room loads from the store: the latest snapshot and every op after it.
public struct StoredDocument: Sendable {
    /// The snapshot's version (0 for a document with no snapshot).
    public var snapshotVersion: Int
    /// The text at `snapshotVersion` ("" for a new document).
    public var snapshotText: String
    /// The ops from `snapshotVersion` on, in version order, contiguous.
    public var ops: [OpRecord]

    /// A loaded document.
    public init(snapshotVersion: Int, snapshotText: String, ops: [OpRecord]) {
        self.snapshotVersion = snapshotVersion
        self.snapshotText = snapshotText
        self.ops = ops
    }

    /// A document nobody has written: empty at version 0.
    public static let empty = StoredDocument(snapshotVersion: 0, snapshotText: "", ops: [])
}
