import Foundation
import Synchronization

/// The cluster's time in ms (the local clock plus PostgreSQL's offset, set once the writer is
/// up): commit notices carry it, and the receiver's lag is measured on it.
final class ClusterClock: Sendable {
    /// The offset's source, in a class: a closure kept directly in a `Mutex` is wrapped in two
    /// more reabstraction thunks by every `withLock` (its `inout` is converted to the closure's
    /// own abstraction and back), so each read grew slower and the stack deeper.
    private final class Source: Sendable {
        let read: @Sendable () -> Int64
        init(_ read: @escaping @Sendable () -> Int64) { self.read = read }
    }

    private let source = Mutex(Source { 0 })

    /// Uses `offset` (ms to add to the local clock).
    func setOffset(_ offset: @escaping @Sendable () -> Int64) {
        source.withLock { $0 = Source(offset) }
    }

    /// Now, in ms since 1970 on the cluster's clock.
    func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) + source.withLock { $0 }.read()
    }
}
