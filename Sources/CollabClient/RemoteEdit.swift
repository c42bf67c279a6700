import CollabOT

/// Another client's edit as applied to the local text.
public struct RemoteEdit: Sendable, Hashable {
    /// The op as applied locally (transformed over local pending edits); may be the no-op.
    public var operation: TextOperation
    /// The server's record of it.
    public var record: RemoteOperation

    /// An edit.
    public init(operation: TextOperation, record: RemoteOperation) {
        self.operation = operation
        self.record = record
    }
}
