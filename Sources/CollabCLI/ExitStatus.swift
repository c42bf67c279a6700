/// The process exit statuses every `collab` command uses.
public enum ExitStatus {
    /// The command did what was asked.
    public static let success: Int32 = 0
    /// The command was understood but failed (a missing file, a database error).
    public static let failure: Int32 = 1
    /// The command line was wrong: unknown option, missing argument, bad value.
    public static let usage: Int32 = 2
}
