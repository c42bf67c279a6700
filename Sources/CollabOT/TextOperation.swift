/// An edit of a plain-text document: components applied left to right from position 0.
///
/// Positions and lengths count Unicode scalar values. Whatever follows the last
/// component is kept.
public struct TextOperation: Sendable, Hashable {
    /// One step of an operation.
    public enum Component: Sendable, Hashable {
        /// Keep (skip) `n` scalars.
        case retain(Int)
        /// Insert a non-empty string.
        case insert(String)
        /// Delete `n` scalars.
        case delete(Int)
    }

    /// The components, in order.
    public internal(set) var components: [Component]

    /// An operation made of `components` as given (not validated, not normalized).
    public init(unchecked components: [Component]) {
        self.components = components
    }
}
