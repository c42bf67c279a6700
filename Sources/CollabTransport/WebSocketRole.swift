/// Which end of a WebSocket connection this codec speaks for; decides masking rules.
public enum WebSocketRole: Sendable, Hashable {
    /// Accepts masked frames only and sends unmasked ones.
    case server
    /// Accepts unmasked frames only and masks what it sends.
    case client
}
