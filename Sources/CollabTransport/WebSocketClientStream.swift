/// The delegate behind the `async` API: completes the connect and feeds the mailbox.
final class WebSocketClientStream: WebSocketClientDelegate {
    typealias Outcome = Result<WebSocketClientConnection, WebSocketClientError>

    private var opened: CheckedContinuation<Outcome, Never>?
    private let mailbox = WebSocketClientMailbox()

    init(opened: CheckedContinuation<Outcome, Never>) {
        self.opened = opened
    }

    func webSocketClientDidOpen(_ client: WebSocketClient, subprotocol: String?) {
        let connection = WebSocketClientConnection(client: client, subprotocol: subprotocol, mailbox: mailbox)
        opened?.resume(returning: .success(connection))
        opened = nil
    }

    func webSocketClient(_ client: WebSocketClient, didReceiveText text: String) {
        mailbox.push(.message(.text(text)))
    }

    func webSocketClient(_ client: WebSocketClient, didReceiveBinary bytes: [UInt8]) {
        mailbox.push(.message(.binary(bytes)))
    }

    func webSocketClient(_ client: WebSocketClient, didFailToOpen error: WebSocketClientError) {
        opened?.resume(returning: .failure(error))
        opened = nil
        mailbox.finish()
    }

    func webSocketClientDidClose(_ client: WebSocketClient, code: WebSocketCloseCode, reason: String) {
        mailbox.push(.closed(code: code, reason: reason))
        mailbox.finish()
    }
}

@available(*, unavailable)
extension WebSocketClientStream: Sendable {}
