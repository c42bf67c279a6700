import CollabOT

extension TextOperation {
    /// The span of text this op changes, as scalar offsets before it; nil for the no-op.
    var changedRangeBefore: ClosedRange<Int>? {
        guard let first = components.first else { return nil }
        if case .retain(let count) = first { return count...inputLength }
        return 0...inputLength
    }

    /// The span the op's changes occupy after it; nil for the no-op.
    var changedRangeAfter: ClosedRange<Int>? {
        guard let before = changedRangeBefore else { return nil }
        return before.lowerBound...(inputLength + lengthChange)
    }
}

extension TextOperation {
    /// Where a caret goes after this op: the end of its last change (0 for the no-op).
    var caretAfter: Int {
        changedRangeAfter?.upperBound ?? 0
    }
}
