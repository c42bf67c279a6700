import CollabOT

/// The room's document text: a `Rope`, so an edit costs O(log n + edit) and the scalar
/// and UTF-8 counts are cached in its nodes.
struct DocumentText {
    private(set) var rope: Rope

    init(_ string: String) {
        rope = Rope(string)
    }

    /// Length in Unicode scalars.
    var count: Int { rope.count }
    /// Length in UTF-8 bytes.
    var utf8Count: Int { rope.utf8Count }
    /// The whole text (O(n): for snapshots and joins, never per keystroke).
    var string: String { String(rope) }

    /// Applies `operation`; on error nothing changed.
    mutating func apply(_ operation: TextOperation) throws(TextOperationError) {
        guard !operation.isNoop else { return }
        try rope.apply(operation)
    }

    /// What each delete of `operation` removes.
    func deletedTexts(of operation: TextOperation) throws(TextOperationError) -> [String] {
        try operation.check(documentLength: rope.count)
        var texts: [String] = []
        var position = 0
        for component in operation.components {
            switch component {
            case .retain(let count):
                position += count
            case .delete(let count):
                texts.append(rope.substring(scalarRange: position..<(position + count)))
                position += count
            case .insert:
                break
            }
        }
        return texts
    }

    /// The text with `records` (the latest ops, in version order) undone, without
    /// touching this text: the rope is copied on write, so this costs the undone edits only.
    func undone(_ records: ArraySlice<OpRecord>) throws(TextOperationError) -> DocumentText {
        var copy = self
        for record in records.reversed() {
            try copy.rope.apply(record.operation.inverted(deletedText: record.deletedTexts))
        }
        return copy
    }

    /// `undone(_:)` as a string.
    func undoing(_ records: ArraySlice<OpRecord>) throws(TextOperationError) -> String {
        try undone(records).string
    }
}
