/// A storage failure as the room sees it.
public struct RoomStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for logs.
    public var message: String
    /// Another writer stored the versions an append claimed: catch up and try again.
    public var isVersionConflict: Bool

    /// An error described by `message`.
    public init(_ message: String, isVersionConflict: Bool = false) {
        self.message = message
        self.isVersionConflict = isVersionConflict
    }

    /// The message.
    public var description: String { message }
}
