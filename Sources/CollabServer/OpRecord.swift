import CollabJSON
import CollabOT

/// One committed op with its `OP_RECORD` JSON, encoded once (contract §2.2).
///
/// The same bytes go to every broadcast, `ops` batch and catch-up, and the store
/// keeps `operationJSON` (a slice of them) as the op log's normalized op text.
public struct OpRecord: Sendable {
    /// The version the op was stored as (it takes the document from `version` to `version + 1`).
    public let version: Int
    /// The op as transformed and stored (possibly the no-op).
    public let operation: TextOperation
    /// The author's client id.
    public let clientId: String
    /// The author's `seq`.
    public let seq: Int
    /// The author's `sub`.
    public let user: String
    /// Commit time, milliseconds since the Unix epoch.
    public let timestamp: Int64
    /// The text each delete removed, in order (enough to invert the op).
    public let deletedTexts: [String]
    /// The complete `OP_RECORD` object.
    public let json: [UInt8]
    /// Where the op's JSON array lies in `json`.
    public let operationJSONRange: Range<Int>

    /// A record; encodes its JSON once.
    public init(version: Int, operation: TextOperation, clientId: String, seq: Int, user: String,
                timestamp: Int64, deletedTexts: [String]) {
        self.version = version
        self.operation = operation
        self.clientId = clientId
        self.seq = seq
        self.user = user
        self.timestamp = timestamp
        self.deletedTexts = deletedTexts
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96 + clientId.utf8.count + user.utf8.count + operation.components.count * 8)
        Self.appendLiteral(#"{"type":"op","v":"#, to: &bytes)
        JSONWriter.appendInteger(version, into: &bytes)
        Self.appendLiteral(#","op":"#, to: &bytes)
        let start = bytes.count
        Self.appendOperation(operation, to: &bytes)
        operationJSONRange = start..<bytes.count
        Self.appendLiteral(#","clientId":"#, to: &bytes)
        JSONWriter.appendString(clientId, into: &bytes)
        Self.appendLiteral(#","seq":"#, to: &bytes)
        JSONWriter.appendInteger(seq, into: &bytes)
        Self.appendLiteral(#","user":"#, to: &bytes)
        JSONWriter.appendString(user, into: &bytes)
        Self.appendLiteral(#","ts":"#, to: &bytes)
        JSONWriter.appendInteger(Int(timestamp), into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        json = bytes
    }

    /// A record from an op-log row (`operationJSON` and `deletedTextsJSON` as stored); nil if corrupt.
    public init?(version: Int, operationJSON: [UInt8], deletedTextsJSON: [UInt8], clientId: String, seq: Int,
                 user: String, timestamp: Int64) {
        guard let operation = Self.storedOperation(json: operationJSON),
              let deletedTexts = Self.storedDeletedTexts(json: deletedTextsJSON) else { return nil }
        self.init(version: version, operation: operation, clientId: clientId, seq: seq, user: user,
                  timestamp: timestamp, deletedTexts: deletedTexts)
    }

    /// The op's normalized JSON text (`[]` for the no-op), for the op log.
    public var operationJSON: ArraySlice<UInt8> { json[operationJSONRange] }

    /// The deleted texts as a JSON array of strings, for the op log.
    public var deletedTextsJSON: [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, text) in deletedTexts.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(text, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// Decodes an op the store wrote (`operationJSON`); `[]` is the no-op. Nil if corrupt.
    public static func storedOperation(json bytes: [UInt8]) -> TextOperation? {
        guard let value = try? JSONReader.parse(bytes) else { return nil }
        if case .array(let items) = value, items.isEmpty { return .noop }
        return try? TextOperation(json: value)
    }

    /// Decodes deleted texts the store wrote (`deletedTextsJSON`). Nil if corrupt.
    public static func storedDeletedTexts(json bytes: [UInt8]) -> [String]? {
        guard case .array(let items)? = try? JSONReader.parse(bytes) else { return nil }
        var texts: [String] = []
        texts.reserveCapacity(items.count)
        for item in items {
            guard case .string(let text) = item else { return nil }
            texts.append(text)
        }
        return texts
    }

    // MARK: - Encoding

    static func appendOperation(_ operation: TextOperation, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        for (index, component) in operation.components.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            switch component {
            case .retain(let count):
                JSONWriter.appendInteger(count, into: &bytes)
            case .insert(let text):
                JSONWriter.appendString(text, into: &bytes)
            case .delete(let count):
                appendLiteral(#"{"d":"#, to: &bytes)
                JSONWriter.appendInteger(count, into: &bytes)
                bytes.append(UInt8(ascii: "}"))
            }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    static func appendLiteral(_ literal: StaticString, to bytes: inout [UInt8]) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
}
