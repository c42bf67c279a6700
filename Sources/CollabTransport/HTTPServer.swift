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
        var listenerConfiguration = configuration.listener
        if let tls = configuration.tls {
            listenerConfiguration.makeTransform = {
                do {
                    return try TLSSession(context: tls)
                } catch {
                    // Out of memory in OpenSSL: this one connection fails, the server goes on.
                    return UnavailableTransform(reason: "\(error)")
                }
            }
        }
        listener = try Listener(group: group, address: address, configuration: listenerConfiguration) { connection in
            HTTPServerHandler(router: router, configuration: configuration)
        }
    }

    /// Stops accepting; open connections continue.
    public func close() {
        listener.close()
    }
}
