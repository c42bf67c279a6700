/// The queue between a client's loop (producer) and `async` readers: events wait here until
/// `next()` takes them; a waiting reader is resumed directly. Cancelling a waiting `next()`
/// makes it return nil.
final class WebSocketClientMailbox: Sendable {
    private struct State: Sendable {
        var events: [WebSocketClientEvent] = []
        var head = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<WebSocketClientEvent?, Never>)] = []
        var cancelled: Set<UInt64> = []
        var finished = false
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    /// Hands `event` to the oldest waiting reader, or queues it.
    func push(_ event: WebSocketClientEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<WebSocketClientEvent?, Never>? in
            guard !state.finished else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// No more events: readers get nil once the queue is empty.
    func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    /// The next event; nil after the last one or when the calling task is cancelled.
    func next() async -> WebSocketClientEvent? {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WebSocketClientEvent?, Never>) in
                let ready = state.withLock { state -> WebSocketClientEvent?? in
                    if state.head < state.events.count {
                        let event = state.events[state.head]
                        state.head += 1
                        if state.head == state.events.count {
                            state.events.removeAll(keepingCapacity: true)
                            state.head = 0
                        }
                        return .some(event)
                    }
                    if state.finished || state.cancelled.remove(id) != nil { return .some(nil) }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<WebSocketClientEvent?, Never>? in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                    return state.waiters.remove(at: index).continuation
                }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.resume(returning: nil)
        }
    }
}
