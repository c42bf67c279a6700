#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the `errno` it set and what was being attempted.
public struct IOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `errno` value reported by the failing call.
    public let errnoCode: Int32
    /// What failed, e.g. `"bind"` or `"accept4"`.
    public let reason: String

    /// Creates an error for `reason` failing with `errnoCode`.
    public init(errnoCode: Int32, reason: String) {
        self.errnoCode = errnoCode
        self.reason = reason
    }

    public var description: String {
        let message = strerror(errnoCode).map { String(cString: $0) } ?? "unknown error"
        return "\(reason) failed: \(message) (errno \(errnoCode))"
    }
}
