extension HTTPRouter {
    /// Serves WebSocket upgrades at exactly `path` through `upgrader`.
    public mutating func webSocket(_ path: String, _ upgrader: WebSocketUpgrader) {
        get(path) { upgrader.route($0) }
    }

    /// Serves WebSocket upgrades at every path starting with `prefix` through `upgrader`.
    public mutating func webSocket(prefix: String, _ upgrader: WebSocketUpgrader) {
        get(prefix: prefix) { upgrader.route($0) }
    }
}
