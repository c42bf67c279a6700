/// The fields of an ErrorResponse or NoticeResponse, keyed by their one-byte field codes.
public struct PostgresDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// Every field the server sent, by field code ('S', 'C', 'M', ...).
    public var fields: [UInt8: String]

    /// Wraps the fields of one message.
    public init(fields: [UInt8: String]) { self.fields = fields }

    private func field(_ code: Character) -> String? { fields[code.asciiValue ?? 0] }

    /// ERROR, FATAL, PANIC, WARNING, NOTICE, ... (never localized: field 'V').
    public var severity: String { field("V") ?? field("S") ?? "" }
    /// The SQLSTATE code (field 'C').
    public var code: PostgresSQLState { PostgresSQLState(field("C") ?? "") }
    /// The primary message (field 'M').
    public var message: String { field("M") ?? "" }
    /// Field 'D'.
    public var detail: String? { field("D") }
    /// Field 'H'.
    public var hint: String? { field("H") }
    /// Field 'P': 1-based character position in the query.
    public var position: String? { field("P") }
    /// Field 's'.
    public var schema: String? { field("s") }
    /// Field 't'.
    public var table: String? { field("t") }
    /// Field 'c'.
    public var column: String? { field("c") }
    /// Field 'd'.
    public var dataType: String? { field("d") }
    /// Field 'n': the violated constraint's name.
    public var constraint: String? { field("n") }
    /// Field 'W'.
    public var context: String? { field("W") }

    /// True for FATAL and PANIC: the server closes the session after sending it.
    public var isFatal: Bool { severity == "FATAL" || severity == "PANIC" }

    public var description: String {
        var text = "\(severity) \(code): \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }
}
