/// A scheduled action that can be cancelled.
public protocol RoomTimer: AnyObject {
    /// Cancels the action if it has not run yet.
    func cancel()
}
