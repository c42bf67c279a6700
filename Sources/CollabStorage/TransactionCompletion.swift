/// What `Database.inTransaction` does when its body returns.
public enum TransactionCompletion: Sendable {
    case commit
    case rollback
}
