/// How a transaction takes its locks (`BEGIN DEFERRED | IMMEDIATE | EXCLUSIVE`).
public enum TransactionKind: Sendable {
    /// Locks on first read or write.
    case deferred
    /// Takes the write lock at once, so it cannot fail later with `SQLITE_BUSY` on upgrade.
    case immediate
    /// Like `immediate`; in WAL mode the two are the same.
    case exclusive

    var beginSQL: String {
        switch self {
        case .deferred: "BEGIN DEFERRED TRANSACTION"
        case .immediate: "BEGIN IMMEDIATE TRANSACTION"
        case .exclusive: "BEGIN EXCLUSIVE TRANSACTION"
        }
    }
}
