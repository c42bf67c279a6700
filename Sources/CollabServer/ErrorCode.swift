/// The `code` of an `error` message (contract §2.5).
public struct ErrorCode: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The code as written on the wire.
    public let rawValue: String

    /// A code from its wire spelling.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Not a valid message: bad JSON, unknown type, bad field.
    public static let badMessage = ErrorCode(rawValue: "bad_message")
    /// An op that is invalid, or does not fit the document at its `v`.
    public static let badOp = ErrorCode(rawValue: "bad_op")
    /// The client's previous op is not acknowledged yet.
    public static let opInFlight = ErrorCode(rawValue: "op_in_flight")
    /// The role does not allow this (a viewer sending an op).
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    /// The result would exceed the document size limit.
    public static let tooLarge = ErrorCode(rawValue: "too_large")
    /// Over the per-connection op rate limit.
    public static let rateLimited = ErrorCode(rawValue: "rate_limited")
    /// A version above the server's.
    public static let versionAhead = ErrorCode(rawValue: "version_ahead")
    /// A version older than the server can transform from.
    public static let versionGone = ErrorCode(rawValue: "version_gone")
    /// A well-formed message other than `join` before the join.
    public static let notJoined = ErrorCode(rawValue: "not_joined")
    /// The server failed (e.g. storage).
    public static let `internal` = ErrorCode(rawValue: "internal")

    /// The wire spelling.
    public var description: String { rawValue }
}
