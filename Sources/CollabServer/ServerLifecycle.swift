import Synchronization

/// Whether the server still takes connections; shared by the accept hook and `shutdown`.
final class ServerLifecycle: Sendable {
    private let stopping = Atomic<Bool>(false)

    var isRunning: Bool { !stopping.load(ordering: .acquiring) }

    /// Marks the server stopping; true only for the first caller.
    func beginStopping() -> Bool {
        stopping.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
