import CollabTransport

/// What the session does when a connection ends, by how it ended (contract §2.5).
public enum ReconnectDecision: Sendable, Hashable {
    /// Reconnect after the usual backoff.
    case backoff
    /// Reconnect at once if this is the first failure (1001 shutting down, 1013 slow consumer).
    case immediate
    /// Drop the local copy and rejoin without a version (4409, 4410).
    case reload
    /// Ask for a new token, then reconnect at once; stop if there is none (4401, HTTP 401).
    case renewToken
    /// Stop and tell the application.
    case stop(SessionStopReason)

    /// The decision for a close frame's code.
    public static func forClose(code: WebSocketCloseCode) -> ReconnectDecision {
        switch code {
        case .goingAway, .tryAgainLater, .serviceRestart: .immediate
        case .replaced: .stop(.replaced)
        case .tokenExpired: .renewToken
        case .versionAhead, .versionGone: .reload
        default: .backoff
        }
    }

    /// The decision for a failed connection attempt.
    public static func forConnectError(_ error: WebSocketClientError) -> ReconnectDecision {
        switch error {
        case .handshakeRejected(let status, _, _) where status == 401:
            return .renewToken
        case .handshakeRejected(let status, _, _) where status == 403:
            return .stop(.forbidden(error.rejectionBody ?? ""))
        default:
            return error.isRetryable ? .backoff : .stop(.refused(error.description))
        }
    }
}
