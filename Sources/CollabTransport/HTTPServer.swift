/// An HTTP/1.1 server: accepts on a group, parses each request, routes it and answers,
/// with keep-alive, pipelining, a request timeout and protocol upgrades.
public final class HTTPServer: Sendable {
    /// The listening socket.
    public let listener: Listener
    /// The bound address (real port when bound to port 0).
    public var localAddress: SocketAddress { listener.localAddress }

    /// Binds to `address` and starts serving `router` on `group`.
    public init(group: EventLoopGroup, address: SocketAddress, router: HTTPRouter,
                configuration: HTTPServerConfiguration = .init()) throws(IOError) {
        listener = try Listener(group: group, address: address, configuration: configuration.listener) { connection in
            HTTPServerHandler(router: router, configuration: configuration)
        }
    }

    /// Stops accepting; open connections continue.
    public func close() {
        listener.close()
    }
}
