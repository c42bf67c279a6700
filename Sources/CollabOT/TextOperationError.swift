/// Why an operation was rejected. Each case names what is wrong and where.
public enum TextOperationError: Error, Sendable, Hashable {
    /// The JSON form is not an array.
    case notAnArray
    /// Component `index` is neither a positive integer, a non-empty string, nor `{"d": n}`.
    case invalidComponent(index: Int)
    /// Component `index` has a zero or negative count.
    case nonPositiveCount(index: Int)
    /// Component `index` has a fractional, exponent-form or out-of-range count.
    case nonIntegerCount(index: Int)
    /// Component `index` inserts the empty string.
    case emptyInsert(index: Int)
    /// Component `index` inserts text containing a lone UTF-16 surrogate.
    case loneSurrogate(index: Int)
    /// The operation does nothing (empty after normalization, or skips only).
    case noEffect
    /// A skip reaches scalar offset `end` in a document of `documentLength` scalars.
    case skipPastEnd(end: Int, documentLength: Int)
    /// A delete reaches scalar offset `end` in a document of `documentLength` scalars.
    case deletePastEnd(end: Int, documentLength: Int)
    /// The deleted texts given to `inverted(deletedText:)` do not match the operation's
    /// deletes (wrong number of texts, or a text of the wrong scalar length).
    case deletedTextMismatch
}
