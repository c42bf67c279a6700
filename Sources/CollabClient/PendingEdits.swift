import CollabOT

/// The client half of the ot.js state machine: what the server has not yet acknowledged.
public enum PendingEdits: Sendable, Hashable {
    /// Everything local is acknowledged.
    case synchronized
    /// One op in flight (or held back while offline).
    case awaitingAck(PendingOperation)
    /// One op in flight and the edits made since, composed into one buffer.
    case awaitingWithBuffer(PendingOperation, buffer: TextOperation)

    /// The in-flight op and the buffer composed: everything not yet acknowledged, nil if nothing.
    public var composed: TextOperation? {
        switch self {
        case .synchronized: nil
        case .awaitingAck(let pending): pending.operation
        case .awaitingWithBuffer(let pending, let buffer): TextOperation.compose(pending.operation, buffer)
        }
    }

    /// Whether anything is unacknowledged.
    public var isEmpty: Bool {
        if case .synchronized = self { return true }
        return false
    }
}
