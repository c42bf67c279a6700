/// The connection counts every WebSocket benchmark keeps per event loop.
protocol WSBenchmarkTally: AnyObject {
    /// Connections whose handshake succeeded.
    var opened: Int { get }
    /// Connections that never opened.
    var failed: Int { get }
    /// Opened connections the server closed before the benchmark stopped.
    var lost: Int { get }
    /// The first failure seen, for the report.
    var firstError: String? { get }
}
