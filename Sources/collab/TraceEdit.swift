/// One patch of an editing trace, `text[position..<position + deleteCount] = inserted`,
/// stored compactly: the inserted UTF-8 lives in the trace's shared byte buffer.
struct TraceEdit: Sendable, Hashable {
    /// Scalar offset of the edit.
    var position: Int32
    /// Scalars deleted at `position`.
    var deleteCount: Int32
    /// Where the inserted UTF-8 starts in `Trace.insertedUTF8`.
    var insertStart: Int32
    /// Length of the inserted UTF-8 in bytes.
    var insertLength: Int32
}
