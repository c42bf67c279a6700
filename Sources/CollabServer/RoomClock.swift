/// Time for a room and its sessions, injected so tests drive it.
///
/// Scheduled actions run on the room's loop.
public protocol RoomClock: AnyObject {
    /// Monotonic time since an arbitrary origin.
    var now: Duration { get }
    /// Wall-clock time, milliseconds since the Unix epoch (for `ts`).
    var unixTimeMilliseconds: Int64 { get }
    /// Runs `action` on the room's loop after `delay`.
    func schedule(after delay: Duration, _ action: @escaping () -> Void) -> any RoomTimer
}
