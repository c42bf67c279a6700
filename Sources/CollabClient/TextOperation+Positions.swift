import CollabOT

extension TextOperation {
    /// Where `position` (a scalar offset *after* this operation) was before it: the inverse of
    /// `transform(position:)` as far as one exists. A position inside inserted text maps to
    /// where the text was inserted.
    func positionBefore(_ position: Int) -> Int {
        var before = 0
        var after = 0
        for component in components {
            switch component {
            case .retain(let count):
                if position < after + count { return before + (position - after) }
                before += count
                after += count
            case .insert(let text):
                let count = text.unicodeScalars.count
                if position < after + count { return before }
                after += count
            case .delete(let count):
                before += count
            }
        }
        return before + (position - after)
    }

    /// `selection` mapped back through this operation with `positionBefore(_:)`.
    func selectionBefore(_ selection: Selection) -> Selection {
        Selection(selection.ranges.map {
            SelectionRange(anchor: positionBefore($0.anchor), head: positionBefore($0.head))
        })
    }
}
