/// A writer that queues output during a loop round and sends it once, when the loop has
/// run the round's events, timers and tasks (`EventLoop.deferFlush`).
///
/// Several messages for one peer produced in one round (an ack and the ops committed with
/// it, several rooms' completions) then leave in one `sendmsg` instead of one each.
protocol DeferredFlush: AnyObject {
    /// The loop's round is over: send what was queued.
    func flushDeferred()
}
