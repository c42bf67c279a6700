/// One patch of an editing trace, `text[position..<position + deleteCount] = inserted`,
/// stored compactly: the inserted UTF-8 lives in the trace's shared byte buffer.
public struct TraceEdit: Sendable, Hashable {
    /// Scalar offset of the edit.
    public var position: Int32
    /// Scalars deleted at `position`.
    public var deleteCount: Int32
    /// Where the inserted UTF-8 starts in `Trace.insertedUTF8`.
    public var insertStart: Int32
    /// Length of the inserted UTF-8 in bytes.
    public var insertLength: Int32
}
