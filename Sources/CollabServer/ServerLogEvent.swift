import CollabJSON
import CollabStorage
import Foundation

/// One thing the server tells its operator (start, connect, disconnect, a refused handshake,
/// an error), with named fields. Never carries a token or document text: callers pass targets
/// through `redactedTarget(_:)` and log error codes, not message contents.
public struct ServerLogEvent: Sendable {
    /// Severity, least severe first.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        /// The level's name, as `--log-level` spells it.
        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        /// The level named `name`, or nil.
        public init?(name: String) {
            guard let level = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// How severe.
    public var level: Level
    /// What happened, one word: `start`, `stop`, `connect`, `disconnect`, `refused`, `error`...
    public var event: String
    /// A sentence for people reading text logs.
    public var message: String
    /// Details, in order (`doc`, `user`, `remote`, `code`, `duration_ms`...).
    public var fields: JSONObject
    /// When, in Unix milliseconds.
    public var time: Int64

    /// An event now.
    public init(_ level: Level, _ event: String, _ message: String, fields: [(key: String, value: JSONValue)] = []) {
        self.level = level
        self.event = event
        self.message = message
        self.fields = JSONObject(fields)
        time = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// One JSON object, no newline: `ts`, `level`, `event`, `msg`, then the fields.
    public var jsonLine: String {
        var members: [(key: String, value: JSONValue)] = [
            ("ts", .string(ISO8601Time.format(milliseconds: time))),
            ("level", .string(level.name)),
            ("event", .string(event)),
            ("msg", .string(message)),
        ]
        members += fields.members
        return JSONValue.object(JSONObject(members)).jsonString
    }

    /// `collab: LEVEL: EVENT: message key=value...`, for a terminal.
    public var textLine: String {
        var line = "collab: \(level.name): \(event): \(message)"
        for member in fields.members {
            switch member.value {
            case .string(let text): line += " \(member.key)=\(text.contains(" ") ? JSONValue.string(text).jsonString : text)"
            default: line += " \(member.key)=\(member.value.jsonString)"
            }
        }
        return line
    }

    /// `target` with the value of every `token` query parameter replaced by `REDACTED`, so a
    /// logged request line never carries a credential.
    public static func redactedTarget(_ target: some StringProtocol) -> String {
        guard let question = target.firstIndex(of: "?") else { return String(target) }
        let query = target[target.index(after: question)...]
        let parameters = query.split(separator: "&", omittingEmptySubsequences: false).map { parameter -> String in
            let name = parameter.prefix { $0 != "=" }
            // Names compare as sent and percent-decoded ("%74oken" is "token" to a lenient parser).
            let decoded = String(name).removingPercentEncoding ?? String(name)
            return decoded.lowercased() == "token" ? "\(name)=REDACTED" : String(parameter)
        }
        return target[..<question] + "?" + parameters.joined(separator: "&")
    }
}
