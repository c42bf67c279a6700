import Synchronization

/// One counted connection. Released when the WebSocket closes, or when the slot is dropped
/// without ever becoming one (the peer left between the accept decision and the upgrade).
final class ConnectionSlot: Sendable {
    private let counter: ConnectionCounter
    private let user: String?
    private let address: String?
    private let released = Atomic<Bool>(false)
    /// Where this connection comes in the order the server accepted upgrades (larger is
    /// newer): a `join` replaces only a session that opened before it (`Room.join`).
    let openOrder: UInt64

    init(counter: ConnectionCounter, user: String?, address: String?, openOrder: UInt64) {
        self.counter = counter
        self.openOrder = openOrder
        self.user = user
        self.address = address
    }

    /// Gives the slot back; later calls do nothing.
    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        counter.release(user: user, address: address)
    }

    deinit {
        release()
    }
}
