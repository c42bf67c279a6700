#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A subscription to Redis pub/sub channels on a connection and thread of its own.
///
/// It connects, subscribes to every channel asked for so far and hands each message to
/// `onMessage` (on its thread). When the connection fails or the server goes quiet (a PING
/// every `heartbeat` must be answered within the next one), it reports the loss, waits a
/// backoff (doubling from `backoff.base` up to `backoff.cap`), reconnects and subscribes again
/// to the current set. Pub/sub is at-most-once: messages published while it was away are lost,
/// which `onStateChange(true)` after a loss tells the owner to make up for.
public final class RedisSubscriber: Sendable {
    /// What it reports.
    public struct Handlers: Sendable {
        /// A message published on `channel`.
        public var onMessage: @Sendable (_ channel: String, _ payload: [UInt8]) -> Void
        /// Subscribed (true) after each (re)connection, or the connection lost (false, with why).
        public var onStateChange: @Sendable (_ isUp: Bool, _ reason: String?) -> Void

        public init(onMessage: @escaping @Sendable (String, [UInt8]) -> Void,
                    onStateChange: @escaping @Sendable (Bool, String?) -> Void = { _, _ in }) {
            self.onMessage = onMessage
            self.onStateChange = onStateChange
        }
    }

    /// Reconnection and liveness settings.
    public struct Timing: Sendable {
        public var backoffBase: Duration = .milliseconds(100)
        public var backoffCap: Duration = .seconds(5)
        public var heartbeat: Duration = .seconds(1)
        public var connectTimeout: Duration = .seconds(2)

        public init() {}
    }

    private struct State: Sendable {
        var channels: Set<String> = []
        /// Changes not yet sent on the current connection.
        var toSubscribe: Set<String> = []
        var toUnsubscribe: Set<String> = []
        var isClosed = false
        var isUp = false
    }

    public let url: RedisURL
    private let timing: Timing
    private let handlers: Handlers
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)
    /// The subscriber's thread, so `close()` from a handler does not wait for itself.
    private let subscriberThread = Mutex<pthread_t?>(nil)

    /// Starts the subscriber's thread; it connects at once and keeps trying until `close()`.
    public init(url: RedisURL, timing: Timing = Timing(), handlers: Handlers) {
        self.url = url
        self.timing = timing
        self.handlers = handlers
        let thread = Thread { [self] in
            subscriberThread.withLock { $0 = pthread_self() }
            run()
            finished.signal()
        }
        thread.name = Self.threadName
        thread.start()
    }

    /// Adds `channels` to the subscription.
    public func subscribe(_ channels: [String]) {
        state.withLock { state in
            for channel in channels where state.channels.insert(channel).inserted {
                state.toUnsubscribe.remove(channel)
                state.toSubscribe.insert(channel)
            }
        }
    }

    /// Removes `channels` from the subscription.
    public func unsubscribe(_ channels: [String]) {
        state.withLock { state in
            for channel in channels where state.channels.remove(channel) != nil {
                state.toSubscribe.remove(channel)
                state.toUnsubscribe.insert(channel)
            }
        }
    }

    /// Whether it is connected and subscribed now.
    public var isUp: Bool { state.withLock { $0.isUp } }

    /// Stops the thread (within 50 ms) and closes the connection; returns once it has stopped,
    /// except when called from a handler (on that thread), which only asks it to stop.
    public func close() {
        let wasOpen = state.withLock { state in
            defer { state.isClosed = true }
            return !state.isClosed
        }
        let onOwnThread = subscriberThread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        if wasOpen && !onOwnThread { finished.wait() }
    }

    /// The name of the subscriber's thread.
    static let threadName = "collab-redis-sub"

    // MARK: - The thread

    private func run() {
        var delay = timing.backoffBase
        while !state.withLock({ $0.isClosed }) {
            let failure = serveOneConnection()
            let wasUp = state.withLock { state in
                defer { state.isUp = false }
                return state.isUp
            }
            if wasUp {
                handlers.onStateChange(false, failure)
                delay = timing.backoffBase
            }
            if state.withLock({ $0.isClosed }) { break }
            // Full jitter, so many nodes do not reconnect in step.
            let jittered = Duration.nanoseconds(Int64.random(in: 0...max(1, delay.nanoseconds)))
            sleepUnlessClosed(jittered)
            delay = min(delay * 2, timing.backoffCap)
        }
    }

    /// Connects, subscribes and reads until the connection fails or `close()`; returns why it ended.
    private func serveOneConnection() -> String? {
        let connection: RedisConnection
        do {
            connection = try RedisConnection(url: url, timeout: timing.connectTimeout)
        } catch {
            return error.description
        }
        defer { connection.close() }
        // A new connection starts with nothing: subscribe to the whole current set.
        let channels = state.withLock { state in
            state.toSubscribe = []
            state.toUnsubscribe = []
            return Array(state.channels)
        }
        var decoder = RESPDecoder()
        var lastHeard = ContinuousClock.now
        var pingSent: ContinuousClock.Instant?
        do throws(RedisError) {
            // Subscribing needs at least one channel; a placeholder keeps the connection in
            // subscribed mode so PING gets its pub/sub answer.
            try connection.send(["SUBSCRIBE", Self.placeholderChannel] + channels)
            state.withLock { $0.isUp = true }
            handlers.onStateChange(true, nil)
            while !state.withLock({ $0.isClosed }) {
                let (add, remove) = state.withLock { state in
                    defer { state.toSubscribe = []; state.toUnsubscribe = [] }
                    return (Array(state.toSubscribe), Array(state.toUnsubscribe))
                }
                if !add.isEmpty { try connection.send(["SUBSCRIBE"] + add) }
                if !remove.isEmpty { try connection.send(["UNSUBSCRIBE"] + remove) }
                let now = ContinuousClock.now
                if let sent = pingSent, now - sent > timing.heartbeat * 2 {
                    return "no answer to PING within \(timing.heartbeat * 2)"
                }
                if pingSent == nil && now - lastHeard > timing.heartbeat {
                    try connection.send(["PING"])
                    pingSent = now
                }
                let bytes = try connection.receive(timeout: .milliseconds(50))
                guard let bytes else { continue }
                if bytes.isEmpty { return "the server closed the connection" }
                decoder.feed(bytes)
                lastHeard = ContinuousClock.now
                pingSent = nil
                do {
                    while let value = try decoder.next() { handle(value) }
                } catch {
                    return error.description
                }
            }
            return nil
        } catch {
            return error.description
        }
    }

    /// A channel no node publishes on, so the connection stays in subscribed mode.
    static let placeholderChannel = "collab:subscriber"

    private func handle(_ value: RESPValue) {
        guard case .array(let parts?) = value, let kind = parts.first?.string else { return }
        if kind == "message", parts.count == 3, let channel = parts[1].string, let payload = parts[2].bytes {
            handlers.onMessage(channel, payload)
        }
        // subscribe / unsubscribe confirmations and pong need nothing more.
    }

    private func sleepUnlessClosed(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline && !state.withLock({ $0.isClosed }) {
            Thread.sleep(forTimeInterval: min(0.05, Double((deadline - ContinuousClock.now).nanoseconds) / 1e9))
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
