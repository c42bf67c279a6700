/// Display hints sent in `join` (`user`, contract §2.1); the token's `name` claim wins over `name`.
public struct UserHints: Sendable, Hashable {
    /// A display name.
    public var name: String?
    /// A colour, `#rrggbb`.
    public var color: String?

    /// Hints; either may be nil.
    public init(name: String? = nil, color: String? = nil) {
        self.name = name
        self.color = color
    }
}
