/// A storage failure as the room sees it.
public struct RoomStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for logs.
    public var message: String

    /// An error described by `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
