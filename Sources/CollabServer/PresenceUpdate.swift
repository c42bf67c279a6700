import CollabOT

/// A valid `presence` message (contract §2.3).
public struct PresenceUpdate: Sendable, Hashable {
    /// The version the selection refers to.
    public var version: Int
    /// The ranges, or nil for no selection.
    public var selection: Selection?

    /// A presence update; the decoder validates the fields.
    public init(version: Int, selection: Selection?) {
        self.version = version
        self.selection = selection
    }
}
