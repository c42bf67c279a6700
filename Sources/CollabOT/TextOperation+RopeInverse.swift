extension TextOperation {
    /// The text each delete removes from `documentBefore`, one string per delete component, in order.
    ///
    /// The rope counterpart of `deletedText(in:)` for a `String`: reads only the deleted ranges.
    public func deletedText(in documentBefore: Rope) throws(TextOperationError) -> [String] {
        try check(documentLength: documentBefore.count)
        var texts: [String] = []
        var position = 0
        for component in components {
            switch component {
            case .retain(let count):
                position += count
            case .delete(let count):
                texts.append(documentBefore.substring(scalarRange: position..<(position + count)))
                position += count
            case .insert:
                break
            }
        }
        return texts
    }

    /// The operation that undoes this one when it was applied to `documentBefore`.
    public func inverted(against documentBefore: Rope) throws(TextOperationError) -> TextOperation {
        try inverted(deletedText: deletedText(in: documentBefore))
    }
}
