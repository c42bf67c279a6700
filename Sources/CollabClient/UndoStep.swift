import CollabOT

/// One entry of an undo or redo stack: the op that reverts a step of the local user's editing,
/// and the ops applied to the text since the entry was last brought up to date.
///
/// Transformation is lazy: later ops are only queued (`later`), and transformed through when
/// the step is undone or grows, so a remote op costs O(1) here however deep the stacks are.
struct UndoStep: Sendable {
    /// Reverts the step; applies to the text as it was before the ops in `later`.
    var operation: TextOperation
    /// Ops applied to the text since, oldest first, as they were applied to the local text.
    private(set) var later: [TextOperation] = []
    /// The selection to restore, in the coordinates `operation` produces; nil if none was known.
    var selection: Selection?

    /// Past this many queued ops, they are composed into one, to keep a long-open document's
    /// memory bounded. Transforming over a composition gives the same text as over its parts
    /// (up to the order of texts inserted at one spot, see TransformTests.transformOfCompositions).
    static let laterLimit = 512

    init(operation: TextOperation, selection: Selection?) {
        self.operation = operation
        self.selection = selection
    }

    /// Queues an op applied to the text after this step.
    mutating func append(later applied: TextOperation) {
        if applied.isNoop { return }
        later.append(applied)
        if later.count >= Self.laterLimit {
            // Pairwise, not left to right: each op is composed into a growing result only log n times.
            var level = later
            while level.count > 1 {
                var next: [TextOperation] = []
                next.reserveCapacity((level.count + 1) / 2)
                var index = 0
                while index + 1 < level.count {
                    next.append(TextOperation.compose(level[index], level[index + 1]))
                    index += 2
                }
                if index < level.count { next.append(level[index]) }
                level = next
            }
            later = level[0].isNoop ? [] : level
        }
    }

    /// Transforms `operation` and `selection` through the queued ops and empties the queue.
    /// Returns those ops as they apply after `operation`: what the step below sees next.
    mutating func bringUpToDate() -> [TextOperation] {
        guard !later.isEmpty else { return [] }
        var moved: [TextOperation] = []
        moved.reserveCapacity(later.count)
        var reverting = operation
        for applied in later {
            // The applied op is older than the revert that is about to be made: it goes first.
            let (appliedAfter, revertingAfter) = TextOperation.transform(applied, reverting)
            moved.append(appliedAfter)
            reverting = revertingAfter
        }
        operation = reverting
        later = []
        if var restored = selection {
            for applied in moved { restored = applied.transform(selection: restored) }
            selection = restored
        }
        return moved
    }
}
