/// An HTTP/1.1 server (optionally over TLS) whose `routePrefix` upgrades to WebSockets
/// through an accept hook; other paths go to `router`.
public final class WebSocketServer: Sendable {
    /// The HTTP server underneath.
    public let httpServer: HTTPServer
    /// The bound address (real port when bound to port 0).
    public var localAddress: SocketAddress { httpServer.localAddress }

    /// Binds to `address` and serves on `group`. Upgrade requests under `routePrefix` that
    /// pass the RFC 6455 checks go to `accept`; anything else is answered by `router`.
    public init(group: EventLoopGroup, address: SocketAddress,
                configuration: WebSocketServerConfiguration = .init(),
                router: HTTPRouter = HTTPRouter(), routePrefix: String = "/",
                accept: @escaping WebSocketUpgrader.AcceptHook) throws(IOError) {
        var router = router
        router.webSocket(prefix: routePrefix, WebSocketUpgrader(configuration: configuration, accept: accept))
        httpServer = try HTTPServer(group: group, address: address, router: router,
                                    configuration: configuration.http)
    }

    /// Stops accepting; open connections continue.
    public func close() {
        httpServer.close()
    }
}
