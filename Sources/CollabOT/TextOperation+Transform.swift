extension TextOperation {
    /// Transforms two operations made against the same document so each applies after the other.
    ///
    /// `first` is the operation committed first: where both insert at one position, its
    /// text stands first. Returns `(first′, second′)` with
    /// `second′.apply(to: first.apply(to: d)) == first′.apply(to: second.apply(to: d))`.
    /// Never fails; with the implicit trailing retain the two may have different
    /// `inputLength`s. Either result may be the no-op (`isNoop`).
    public static func transform(
        _ first: TextOperation, _ second: TextOperation
    ) -> (TextOperation, TextOperation) {
        let firstComponents = first.components
        let secondComponents = second.components
        let capacity = firstComponents.count + secondComponents.count
        var firstPrime = TextOperation()
        var secondPrime = TextOperation()
        firstPrime.reserveCapacity(capacity)
        secondPrime.reserveCapacity(capacity)

        var firstIndex = 0
        var secondIndex = 0
        // How much of the current retain or delete is used up (inserts are never split).
        var firstUsed = 0
        var secondUsed = 0

        while true {
            // `first`'s head: an insert (handled at once, so it wins ties), a retain or
            // delete with `firstLeft` unused, or the implicit trailing retain.
            let firstDeletes: Bool
            let firstLeft: Int
            if firstIndex < firstComponents.count {
                switch firstComponents[firstIndex] {
                case .insert(let text):
                    let length = TextOperation.scalarCount(of: text)
                    firstPrime.insert(text, scalarCount: length)
                    secondPrime.retain(length)
                    firstIndex += 1
                    continue
                case .retain(let count):
                    firstDeletes = false
                    firstLeft = count - firstUsed
                case .delete(let count):
                    firstDeletes = true
                    firstLeft = count - firstUsed
                }
            } else {
                firstDeletes = false
                firstLeft = Int.max
            }

            let secondDeletes: Bool
            let secondLeft: Int
            if secondIndex < secondComponents.count {
                switch secondComponents[secondIndex] {
                case .insert(let text):
                    let length = TextOperation.scalarCount(of: text)
                    firstPrime.retain(length)
                    secondPrime.insert(text, scalarCount: length)
                    secondIndex += 1
                    continue
                case .retain(let count):
                    secondDeletes = false
                    secondLeft = count - secondUsed
                case .delete(let count):
                    secondDeletes = true
                    secondLeft = count - secondUsed
                }
            } else {
                if firstIndex == firstComponents.count { break }
                secondDeletes = false
                secondLeft = Int.max
            }

            let step = min(firstLeft, secondLeft)
            switch (firstDeletes, secondDeletes) {
            case (false, false):
                firstPrime.retain(step)
                secondPrime.retain(step)
            case (true, false):
                firstPrime.delete(step)
            case (false, true):
                secondPrime.delete(step)
            case (true, true):
                break  // Both deleted it: neither needs to.
            }
            if step == firstLeft { firstIndex += 1; firstUsed = 0 } else { firstUsed += step }
            if step == secondLeft { secondIndex += 1; secondUsed = 0 } else { secondUsed += step }
        }
        return (firstPrime, secondPrime)
    }

    /// Where `position` (a scalar offset before this operation) is after it.
    ///
    /// A position exactly where text is inserted moves after the inserted text; a
    /// position inside a deleted range moves to where the range was.
    public func transform(position: Int) -> Int {
        var before = 0
        var after = 0
        for component in components {
            switch component {
            case .retain(let count):
                if position < before + count { return after + (position - before) }
                before += count
                after += count
            case .insert(let text):
                after += TextOperation.scalarCount(of: text)
            case .delete(let count):
                if position < before + count { return after }
                before += count
            }
        }
        return after + (position - before)
    }

    /// `range` with both ends moved by `transform(position:)`.
    public func transform(range: SelectionRange) -> SelectionRange {
        SelectionRange(anchor: transform(position: range.anchor), head: transform(position: range.head))
    }

    /// `selection` with every range moved by `transform(position:)`.
    public func transform(selection: Selection) -> Selection {
        Selection(selection.ranges.map { transform(range: $0) })
    }
}
