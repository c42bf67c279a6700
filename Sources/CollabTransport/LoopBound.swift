/// A box for state owned by one event loop: it may travel between threads (it is
/// `Sendable`), but its value is only touched on its loop, which every access checks.
public final class LoopBound<Value>: @unchecked Sendable {
    // @unchecked Sendable is sound: `storage` is read and written only through `value`,
    // which preconditions that the caller runs on `eventLoop`'s single thread, so all
    // accesses are serialized on that thread. (Checked in debug builds and in release.)
    private var storage: Value
    /// The loop that owns the value.
    public let eventLoop: EventLoop

    /// Boxes `value`; must be created on `eventLoop`.
    public init(_ value: Value, eventLoop: EventLoop) {
        eventLoop.preconditionInEventLoop()
        self.storage = value
        self.eventLoop = eventLoop
    }

    /// The value; only on `eventLoop`.
    public var value: Value {
        get {
            eventLoop.preconditionInEventLoop()
            return storage
        }
        set {
            eventLoop.preconditionInEventLoop()
            storage = newValue
        }
    }
}
