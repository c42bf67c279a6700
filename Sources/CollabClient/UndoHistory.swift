import CollabOT

/// The local user's undo and redo stacks, in local coordinates (see `UndoStep`).
///
/// Invariant: the top step of each stack, once brought up to date, applies to the current local
/// text; each step below applies to the text the step above it produces.
struct UndoHistory: Sendable {
    /// Edits closer together than this (and touching) form one step.
    let groupingInterval: Duration
    /// The most steps kept on each stack; the oldest are forgotten.
    let limit: Int
    private(set) var undoSteps: [UndoStep] = []
    private(set) var redoSteps: [UndoStep] = []
    /// The top undo step while later keystrokes may still join it.
    private var openGroup: OpenGroup?

    private struct OpenGroup: Sendable {
        /// The text the step wrote, widened to what it touched (current local coordinates).
        var region: ClosedRange<Int>
        var lastEdit: ContinuousClock.Instant
    }

    init(groupingInterval: Duration, limit: Int) {
        self.groupingInterval = groupingInterval
        self.limit = max(1, limit)
    }

    /// Records a local edit, `inverse` reverting it, made with `selectionBefore` at `time`
    /// (nil: never grouped). A new edit makes the redo stack meaningless.
    mutating func recordEdit(_ operation: TextOperation, inverse: TextOperation, selectionBefore: Selection?,
                             at time: ContinuousClock.Instant?) {
        guard let before = operation.changedRangeBefore, let after = operation.changedRangeAfter else { return }
        redoSteps.removeAll()
        if let group = openGroup, let time, time - group.lastEdit <= groupingInterval,
           before.overlaps(group.region), !undoSteps.isEmpty {
            var top = undoSteps.removeLast()
            Self.forward(top.bringUpToDate(), to: &undoSteps)
            top.operation = TextOperation.compose(inverse, top.operation)
            undoSteps.append(top)
            let lower = min(operation.transform(position: group.region.lowerBound), after.lowerBound)
            let upper = max(operation.transform(position: group.region.upperBound), after.upperBound)
            openGroup = OpenGroup(region: lower...upper, lastEdit: time)
        } else {
            Self.push(UndoStep(operation: inverse, selection: selectionBefore), onto: &undoSteps, limit: limit)
            openGroup = time.map { OpenGroup(region: after, lastEdit: $0) }
        }
    }

    /// Records an op someone else made, as applied to the local text. One that touches the
    /// open step ends it: undoing half of a word someone typed into would make no sense.
    mutating func recordRemote(_ operation: TextOperation) {
        guard let before = operation.changedRangeBefore else { return }
        if let group = openGroup {
            if before.overlaps(group.region) {
                openGroup = nil
            } else {
                let lower = operation.transform(position: group.region.lowerBound)
                let upper = operation.transform(position: group.region.upperBound)
                openGroup?.region = lower...max(lower, upper)
            }
        }
        if !undoSteps.isEmpty { undoSteps[undoSteps.count - 1].append(later: operation) }
        if !redoSteps.isEmpty { redoSteps[redoSteps.count - 1].append(later: operation) }
    }

    /// Ends the open step: the next edit starts a new one.
    mutating func closeGroup() {
        openGroup = nil
    }

    /// The top undo step that still changes something, brought up to date and removed; steps
    /// that others' edits emptied are dropped on the way. Nil if none is left.
    mutating func popUndo() -> UndoStep? {
        Self.popEffective(&undoSteps)
    }

    /// The same for redo.
    mutating func popRedo() -> UndoStep? {
        Self.popEffective(&redoSteps)
    }

    /// Pushes the step that reverts an undo.
    mutating func pushRedo(_ step: UndoStep) {
        Self.push(step, onto: &redoSteps, limit: limit)
    }

    /// Pushes the step that reverts a redo (the redo stack stays).
    mutating func pushUndo(_ step: UndoStep) {
        Self.push(step, onto: &undoSteps, limit: limit)
    }

    /// Forgets everything (the text was replaced wholesale).
    mutating func clear() {
        undoSteps = []
        redoSteps = []
        openGroup = nil
    }

    private static func popEffective(_ steps: inout [UndoStep]) -> UndoStep? {
        while var step = steps.popLast() {
            forward(step.bringUpToDate(), to: &steps)
            if !step.operation.isNoop { return step }
        }
        return nil
    }

    private static func forward(_ moved: [TextOperation], to steps: inout [UndoStep]) {
        guard !steps.isEmpty else { return }
        for applied in moved { steps[steps.count - 1].append(later: applied) }
    }

    private static func push(_ step: UndoStep, onto steps: inout [UndoStep], limit: Int) {
        steps.append(step)
        if steps.count > limit { steps.removeFirst(steps.count - limit) }
    }
}
