import CollabServer
import Foundation

/// `collab serve`'s lines on standard error: plain text or one JSON object per line
/// (`--log-format json`), written at once (unbuffered) so a supervisor sees the start line
/// immediately.
struct ServeLogger: Sendable {
    let json: Bool
    let level: ServerLogEvent.Level

    /// Logs `event` if the configured level lets it through.
    func log(_ event: ServerLogEvent) {
        guard event.level >= level else { return }
        write(json ? event.jsonLine : event.textLine)
    }

    /// An operator line (start, open-mode warning, stop), always written; as text it is
    /// `collab: <message>` (the start line's shape is what scripts wait for).
    func `operator`(_ event: ServerLogEvent) {
        write(json ? event.jsonLine : "collab: \(event.message)")
    }

    private func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
