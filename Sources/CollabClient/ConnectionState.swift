/// Where a `DocumentSession`'s connection is.
public enum ConnectionState: Sendable, Hashable {
    /// Opening a connection and joining; `attempt` counts from 1 since the last stable connection.
    case connecting(attempt: Int)
    /// Joined and in sync with the server at `version` (pending edits are being sent).
    case connected(version: Int)
    /// Offline, reconnecting after `delay` ("reconnecting in 4 s"); `hasPendingEdits` says local
    /// edits wait to be sent ("offline with pending edits").
    case reconnecting(delay: Duration, attempt: Int, hasPendingEdits: Bool)
    /// Not reconnecting any more, for `reason`; `hasPendingEdits` says local edits were not sent.
    case stopped(SessionStopReason, hasPendingEdits: Bool)
}
