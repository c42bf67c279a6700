/// The backend's transaction state, reported by every ReadyForQuery.
public enum PostgresTransactionStatus: UInt8, Sendable, Hashable {
    /// 'I': not in a transaction block.
    case idle = 0x49
    /// 'T': in a transaction block.
    case inTransaction = 0x54
    /// 'E': in a failed transaction block; statements are refused until ROLLBACK.
    case failed = 0x45
}
