#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes with the system's own reason on failure ("No such file or
/// directory"), for messages that say what went wrong in the operator's words.
enum FileIO {
    /// A failed file operation: the `strerror` text of its errno.
    struct Failure: Error {
        var reason: String

        init(errno code: Int32) {
            reason = String(cString: strerror(code))
        }
    }

    /// The bytes of the file at `path` (a directory, unreadable or missing file fails).
    static func read(_ path: String) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(errno: errno) }
        defer { close(descriptor) }
        return try read(descriptor: descriptor)
    }

    /// Everything left on `descriptor` (standard input for `-`).
    static func read(descriptor: Int32) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(errno: errno)
            }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    /// Writes `bytes` to `path`, creating or truncating it (mode 0644 before the umask).
    static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(errno: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let failure = Failure(errno: errno)
                close(descriptor)
                throw failure
            }
            written += count
        }
        guard close(descriptor) == 0 else { throw Failure(errno: errno) }
    }
}
