/// Settings of a listening socket.
public struct ListenerConfiguration: Sendable {
    /// `listen(2)` backlog (default 1024).
    public var backlog: Int32 = 1024
    /// First pause after accept fails for lack of descriptors or memory (default 100 ms).
    public var initialBackoff: Duration = .milliseconds(100)
    /// The pause doubles on each consecutive failure up to this (default 1.6 s).
    public var maximumBackoff: Duration = .milliseconds(1600)
    /// Settings for every accepted connection.
    public var connection = ConnectionConfiguration()
    /// Builds a per-connection byte-stream stage (TLS), if any. Called on the connection's loop.
    public var makeTransform: (@Sendable () -> any ByteStreamTransform)?
    /// Where accept back-off is reported.
    public var logger: TransportLogger = .standardError
    /// Replaces `accept4` (tests inject EMFILE). Returns a descriptor or nil for "would block".
    var acceptOverride: (@Sendable (CInt) throws(IOError) -> CInt?)?

    /// Default settings.
    public init() {}
}
