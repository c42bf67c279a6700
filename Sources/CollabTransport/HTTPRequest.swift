/// A parsed request as a route sees it.
public struct HTTPRequest: Sendable {
    /// Request line and headers.
    public let head: HTTPRequestHead
    /// The peer's address, if known.
    public let remoteAddress: SocketAddress?
    /// The loop the connection is on (where the route runs).
    public let eventLoop: EventLoop
    /// Answers a `.deferred` route later, from any thread.
    public let responder: HTTPResponder
    /// The body (a `Content-Length` one, for methods other than GET that have a route).
    public var body: [UInt8] = []
}
