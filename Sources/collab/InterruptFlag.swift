import Synchronization

/// Raised from a signal handler's queue, read by a polling loop (`history --follow`).
final class InterruptFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() {
        raised.store(true, ordering: .relaxed)
    }

    var isRaised: Bool {
        raised.load(ordering: .relaxed)
    }
}
