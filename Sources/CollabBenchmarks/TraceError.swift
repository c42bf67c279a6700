/// Why an editing trace could not be read.
public enum TraceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or read (`errno`).
    case unreadable(path: String, errno: Int32)
    /// The JSON is malformed or not shaped like a sequential trace, at byte `offset`.
    case malformed(offset: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let code):
            return "cannot read \(path) (errno \(code))"
        case .malformed(let offset, let reason):
            return "malformed trace at byte \(offset): \(reason)"
        }
    }
}
