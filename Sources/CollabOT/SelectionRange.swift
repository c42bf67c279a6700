/// One selected range, `[anchor, head]` on the wire: scalar offsets where the selection
/// started and where the caret is. `anchor == head` is a plain cursor.
public struct SelectionRange: Sendable, Hashable {
    /// Where the selection started.
    public var anchor: Int
    /// Where the caret is.
    public var head: Int

    /// A range from `anchor` to `head`.
    public init(anchor: Int, head: Int) {
        self.anchor = anchor
        self.head = head
    }

    /// A cursor at `position`.
    public init(cursor position: Int) {
        self.init(anchor: position, head: position)
    }
}
