extension TextOperation {
    /// Checks that the operation fits a document of `documentLength` scalars.
    ///
    /// Throws `.skipPastEnd` or `.deletePastEnd` for the first component that reaches
    /// past the end, with the offset it reaches. For callers holding the text in
    /// another structure (a rope) that know its length.
    public func check(documentLength: Int) throws(TextOperationError) {
        if requiredLength <= documentLength { return }
        var offset = 0
        for component in components {
            switch component {
            case .retain(let count):
                offset += count
                if offset > documentLength { throw .skipPastEnd(end: offset, documentLength: documentLength) }
            case .delete(let count):
                offset += count
                if offset > documentLength { throw .deletePastEnd(end: offset, documentLength: documentLength) }
            case .insert:
                break
            }
        }
        // Only the trailing skip that normalization dropped reaches past the end.
        throw .skipPastEnd(end: requiredLength, documentLength: documentLength)
    }

    /// The document after this operation. Validates first, so on error nothing was applied.
    public func apply(to document: String) throws(TextOperationError) -> String {
        let scalars = document.unicodeScalars
        try check(documentLength: scalars.count)
        var result = ""
        result.reserveCapacity(document.utf8.count + max(0, lengthChange) * 4)
        var index = scalars.startIndex
        for component in components {
            switch component {
            case .retain(let count):
                let end = scalars.index(index, offsetBy: count)
                // Through Substring, not String's subscript: the bounds are scalar
                // boundaries and need not be Character boundaries.
                result.append(contentsOf: Substring(scalars[index..<end]))
                index = end
            case .insert(let text):
                result.append(text)
            case .delete(let count):
                index = scalars.index(index, offsetBy: count)
            }
        }
        result.append(contentsOf: Substring(scalars[index...]))
        return result
    }

    /// The text each delete removes from `documentBefore`, one string per delete component, in order.
    ///
    /// With the operation, enough to undo it later without the document (see `inverted(deletedText:)`).
    public func deletedText(in documentBefore: String) throws(TextOperationError) -> [String] {
        let scalars = documentBefore.unicodeScalars
        try check(documentLength: scalars.count)
        var texts: [String] = []
        var index = scalars.startIndex
        for component in components {
            switch component {
            case .retain(let count):
                index = scalars.index(index, offsetBy: count)
            case .delete(let count):
                let end = scalars.index(index, offsetBy: count)
                texts.append(String(scalars[index..<end]))
                index = end
            case .insert:
                break
            }
        }
        return texts
    }

    /// The operation that undoes this one, given the text of each delete as `deletedText(in:)` returns it.
    ///
    /// Throws `.deletedTextMismatch` if the texts do not match the deletes in number or length.
    public func inverted(deletedText: [String]) throws(TextOperationError) -> TextOperation {
        var inverse = TextOperation()
        inverse.reserveCapacity(components.count)
        var next = 0
        for component in components {
            switch component {
            case .retain(let count):
                inverse.retain(count)
            case .insert(let text):
                inverse.delete(TextOperation.scalarCount(of: text))
            case .delete(let count):
                guard next < deletedText.count else { throw .deletedTextMismatch }
                let text = deletedText[next]
                next += 1
                guard TextOperation.scalarCount(of: text) == count else { throw .deletedTextMismatch }
                inverse.insert(text, scalarCount: count)
            }
        }
        guard next == deletedText.count else { throw .deletedTextMismatch }
        return inverse
    }

    /// The operation that undoes this one when it was applied to `documentBefore`.
    public func inverted(against documentBefore: String) throws(TextOperationError) -> TextOperation {
        try inverted(deletedText: deletedText(in: documentBefore))
    }
}
