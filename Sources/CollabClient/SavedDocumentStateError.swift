/// Why a saved document state could not be read or written. Nothing is lost by it: a file that
/// cannot be read is left as it is, for the application to inspect, move away or delete.
public enum SavedDocumentStateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file exists but could not be read (permissions, I/O).
    case unreadable(path: String, reason: String)
    /// The content is not a saved state of this format (truncated, edited, another program's file).
    case malformed(String)
    /// The file holds the state of another document.
    case otherDocument(path: String, documentURL: String)
    /// The state could not be written (disk full, permissions); the previous file is intact.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .malformed(let reason): "not a valid saved document state: \(reason)"
        case .otherDocument(let path, let url): "\(path) holds the edits of another document (\(url))"
        case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
