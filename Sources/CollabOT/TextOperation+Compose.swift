extension TextOperation {
    /// The single operation with the effect of `first` followed by `second`.
    ///
    /// `second` must be made against the document `first` produces; with the implicit
    /// trailing retain either may be shorter than the other. For every document `d`
    /// both apply to: `compose(a, b).apply(to: d) == b.apply(to: a.apply(to: d))`.
    public static func compose(_ first: TextOperation, _ second: TextOperation) -> TextOperation {
        let firstComponents = first.components
        let secondComponents = second.components
        var result = TextOperation()
        result.reserveCapacity(firstComponents.count + secondComponents.count)

        var firstIndex = 0
        var secondIndex = 0
        // How much of the current component is used up: scalars of a retain or insert of
        // `first`, or of a retain or delete of `second`.
        var firstUsed = 0
        var secondUsed = 0
        // For a partly used insert of `first`: its scalar count and where the unused rest starts.
        var insertLength = 0
        var insertRest = "".unicodeScalars.startIndex

        while true {
            // What `second` inserts goes in as it is.
            if secondIndex < secondComponents.count, case .insert(let text) = secondComponents[secondIndex] {
                result.insert(text)
                secondIndex += 1
                continue
            }
            // What `first` deletes `second` never sees.
            if firstIndex < firstComponents.count, case .delete(let count) = firstComponents[firstIndex] {
                result.delete(count)
                firstIndex += 1
                continue
            }

            // `second`'s head: a retain or delete with `secondLeft` unused, or its
            // implicit trailing retain.
            let secondDeletes: Bool
            let secondLeft: Int
            if secondIndex < secondComponents.count {
                switch secondComponents[secondIndex] {
                case .retain(let count):
                    secondDeletes = false
                    secondLeft = count - secondUsed
                case .delete(let count):
                    secondDeletes = true
                    secondLeft = count - secondUsed
                case .insert:
                    continue  // Unreachable: handled above.
                }
            } else {
                if firstIndex == firstComponents.count { break }
                secondDeletes = false
                secondLeft = Int.max
            }

            if firstIndex == firstComponents.count {
                // `first`'s implicit trailing retain meets `second`'s head whole.
                if secondDeletes { result.delete(secondLeft) } else { result.retain(secondLeft) }
                secondIndex += 1
                secondUsed = 0
                continue
            }

            switch firstComponents[firstIndex] {
            case .retain(let count):
                let firstLeft = count - firstUsed
                let step = min(firstLeft, secondLeft)
                if secondDeletes { result.delete(step) } else { result.retain(step) }
                if step == firstLeft { firstIndex += 1; firstUsed = 0 } else { firstUsed += step }
                if step == secondLeft { secondIndex += 1; secondUsed = 0 } else { secondUsed += step }

            case .insert(let text):
                let scalars = text.unicodeScalars
                if firstUsed == 0 {
                    insertLength = TextOperation.scalarCount(of: text)
                    insertRest = scalars.startIndex
                }
                let firstLeft = insertLength - firstUsed
                let step = min(firstLeft, secondLeft)
                if step == firstLeft {
                    if !secondDeletes {
                        if firstUsed == 0 {
                            result.insert(text, scalarCount: step)
                        } else {
                            result.insert(String(scalars[insertRest...]), scalarCount: step)
                        }
                    }
                    firstIndex += 1
                    firstUsed = 0
                } else {
                    let end = scalars.index(insertRest, offsetBy: step)
                    if !secondDeletes {
                        result.insert(String(scalars[insertRest..<end]), scalarCount: step)
                    }
                    insertRest = end
                    firstUsed += step
                }
                if step == secondLeft { secondIndex += 1; secondUsed = 0 } else { secondUsed += step }

            case .delete:
                continue  // Unreachable: handled above.
            }
        }
        return result
    }
}
