/// One server session (backend process) of PostgreSQL: its process id and start time, which
/// together name it even after a restart of PostgreSQL reused the id.
public struct PostgresServerSession: Hashable, Sendable {
    /// `pg_backend_pid()`.
    public var processID: Int32
    /// `backend_start` as PostgreSQL prints it.
    public var started: String
}
