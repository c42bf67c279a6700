import Foundation

/// `collab serve`'s lines on standard error: plain text or one JSON object per line,
/// written at once (unbuffered) so a supervisor sees the start line immediately.
struct ServeLogger: Sendable {
    let json: Bool
    let level: String

    private static let ranks = ["debug": 0, "info": 1, "warning": 2, "error": 3]

    /// Logs `message` at `severity` if the configured level lets it through.
    func log(_ severity: String, _ message: String) {
        guard (Self.ranks[severity] ?? 3) >= (Self.ranks[level] ?? 1) else { return }
        write(json ? object(severity, message) : "collab: \(severity): \(message)")
    }

    /// An operator line (start, warnings, stop), always written.
    func print(_ line: String) {
        write(json ? object("info", line) : line)
    }

    private func object(_ severity: String, _ message: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["level": severity, "message": message])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
