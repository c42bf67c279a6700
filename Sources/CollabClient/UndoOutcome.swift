import CollabOT

/// What an undo or redo did to the local text.
public struct UndoOutcome: Sendable, Hashable {
    /// The op applied to the local text (and sent like any local edit).
    public var operation: TextOperation
    /// The local selection now: the one the undone (or redone) edit was made from.
    public var selection: Selection

    /// An outcome.
    public init(operation: TextOperation, selection: Selection) {
        self.operation = operation
        self.selection = selection
    }
}
