#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CollabJSON

/// The file a `DocumentSession` keeps its `SavedDocumentState` in.
///
/// Every save replaces the file atomically: the new state goes to `path.tmp`, is fsync'd, then
/// renamed over `path`, and the directory is fsync'd, so a crash leaves the old state or the new
/// one, never a mix. One session per file at a time.
public struct DocumentStateFile: Sendable {
    /// Where the state is kept.
    public let path: String

    /// The file at `path` (not touched until `load()` or `save(_:)`).
    public init(path: String) {
        self.path = path
    }

    /// The saved state, or nil if there is no file yet.
    public func load() throws(SavedDocumentStateError) -> SavedDocumentState? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadable(path: path, reason: Self.message(code))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: Self.message(errno))
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        let json: JSONValue
        do {
            json = try JSONReader.parse(bytes)
        } catch {
            throw .malformed("\(path): invalid JSON (\(error))")
        }
        do {
            return try SavedDocumentState(json: json)
        } catch .malformed(let reason) {
            throw .malformed("\(path): \(reason)")
        } catch {
            throw error
        }
    }

    /// Replaces the file with `state`, durably.
    public func save(_ state: SavedDocumentState) throws(SavedDocumentStateError) {
        let temporary = path + ".tmp"
        let bytes = state.json.encoded()
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .writeFailed(path: path, reason: Self.message(errno)) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw .writeFailed(path: path, reason: Self.message(code))
            }
            written += count
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw .writeFailed(path: path, reason: "fsync: " + Self.message(code))
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .writeFailed(path: path, reason: "rename: " + Self.message(code))
        }
        // The rename is durable only once the directory entry is.
        let directory = open(Self.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            defer { close(directory) }
            guard fsync(directory) == 0 else { throw .writeFailed(path: path, reason: "fsync of the directory: " + Self.message(errno)) }
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
