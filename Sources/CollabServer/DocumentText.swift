import CollabOT

/// The room's document text with its scalar and UTF-8 counts cached.
///
/// A `String` for now; the `Rope` of CollabOT will replace it here alone.
struct DocumentText {
    private(set) var string: String
    /// Length in Unicode scalars.
    private(set) var count: Int
    /// Length in UTF-8 bytes.
    private(set) var utf8Count: Int

    init(_ string: String) {
        self.string = string
        count = string.unicodeScalars.count
        utf8Count = string.utf8.count
    }

    /// Applies `operation`; on error nothing changed.
    mutating func apply(_ operation: TextOperation) throws(TextOperationError) {
        guard !operation.isNoop else { return }
        let result = try operation.apply(to: string)
        count += operation.lengthChange
        string = result
        utf8Count = string.utf8.count
    }

    /// What each delete of `operation` removes.
    func deletedTexts(of operation: TextOperation) throws(TextOperationError) -> [String] {
        try operation.deletedText(in: string)
    }
}
