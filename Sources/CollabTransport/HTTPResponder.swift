/// Completes a request whose route returned `.deferred`; usable from any thread, once.
/// If the connection closed in the meantime, the answer is dropped.
public struct HTTPResponder: Sendable {
    let eventLoop: EventLoop
    let complete: @Sendable (HTTPRouteResult) -> Void

    /// Sends `response`.
    public func respond(_ response: HTTPResponse) {
        finish(.respond(response))
    }

    /// Performs `upgrade`.
    public func upgrade(_ upgrade: HTTPUpgrade) {
        finish(.upgrade(upgrade))
    }

    private func finish(_ result: HTTPRouteResult) {
        let complete = self.complete
        if eventLoop.inEventLoop { complete(result) } else { eventLoop.execute { complete(result) } }
    }
}
