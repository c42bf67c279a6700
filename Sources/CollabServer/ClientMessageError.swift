/// Why a client's message is refused: the `error` message to answer with.
public struct ClientMessageError: Error, Sendable, Hashable {
    /// The error code.
    public var code: ErrorCode
    /// A human-readable explanation.
    public var message: String
    /// The op's `seq`, for errors about an op that had a valid one.
    public var seq: Int?

    /// An error with `code`, `message` and optional `seq`.
    public init(_ code: ErrorCode, _ message: String, seq: Int? = nil) {
        self.code = code
        self.message = message
        self.seq = seq
    }
}
