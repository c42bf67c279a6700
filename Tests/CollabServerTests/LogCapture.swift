import CollabServer
import Synchronization

/// Collects the server's log events in memory, as `collab serve` would write them.
final class LogCapture: Sendable {
    private let events = Mutex<[ServerLogEvent]>([])

    /// The sink to set as `configuration.logEvent`.
    var sink: @Sendable (ServerLogEvent) -> Void {
        { [self] event in events.withLock { $0.append(event) } }
    }

    /// Every event so far.
    var all: [ServerLogEvent] { events.withLock { $0 } }

    /// The events named `name`.
    func events(_ name: String) -> [ServerLogEvent] { all.filter { $0.event == name } }
}
