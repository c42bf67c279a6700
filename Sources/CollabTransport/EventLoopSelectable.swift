/// Something registered with an event loop's epoll set (a listener or a connection).
/// Called only on the loop that registered it.
protocol EventLoopSelectable: AnyObject {
    /// The descriptor became ready; `events` is the epoll event mask.
    func handleEvents(_ events: UInt32)
    /// The loop is shutting down: release the descriptor.
    func eventLoopClosing()
}

/// Which readiness a registration wants to hear about.
struct SelectorInterest: OptionSet {
    let rawValue: UInt8
    static let readable = SelectorInterest(rawValue: 1)
    static let writable = SelectorInterest(rawValue: 2)
}
