import CollabJSON
import CollabOT

/// The server messages (contract §2) a benchmark editor acts on, decoded from one text frame.
enum ServerBenchmarkMessage {
    /// One committed op (`OP_RECORD`).
    struct Record {
        var version: Int
        var operation: TextOperation
        var clientId: String
        var seq: Int
    }

    /// `ack`: the editor's op `seq` was stored as `version`.
    case ack(seq: Int, version: Int)
    /// `op` or `ops`: committed ops in version order.
    case records([Record])
    /// `snapshot`: the whole text at `version`.
    case snapshot(version: Int, text: String)
    /// `joined`: the join answer is complete; the editor holds `version`.
    case joined(version: Int)
    /// `error`.
    case error(code: String, message: String, seq: Int?)
    /// `presence`, `leave`, `pong`: nothing for a benchmark editor to do.
    case ignored

    /// Why a message could not be understood.
    struct DecodeError: Error, CustomStringConvertible {
        let description: String
    }

    /// Decodes `text`. Presence and leave messages, by far the most frequent while many
    /// editors join, are recognized by their prefix without a full parse.
    static func decode(_ text: String) -> Result<ServerBenchmarkMessage, DecodeError> {
        if hasPrefix(text, #"{"type":"presence""#) || hasPrefix(text, #"{"type":"leave""#) {
            return .success(.ignored)
        }
        let value: JSONValue
        do {
            value = try JSONReader.parse(text)
        } catch {
            return .failure(DecodeError(description: "invalid JSON from the server: \(error)"))
        }
        guard case .object(let object) = value, case .string(let type)? = object["type"] else {
            return .failure(DecodeError(description: "a server message without a type"))
        }
        switch type {
        case "ack":
            guard case .integer(let seq)? = object["seq"], case .integer(let version)? = object["v"] else {
                return .failure(DecodeError(description: "malformed ack"))
            }
            return .success(.ack(seq: seq, version: version))
        case "op":
            return record(object).map { .records([$0]) }
        case "ops":
            guard case .array(let items)? = object["ops"] else {
                return .failure(DecodeError(description: "malformed ops message"))
            }
            var records: [Record] = []
            records.reserveCapacity(items.count)
            for item in items {
                guard case .object(let recordObject) = item else {
                    return .failure(DecodeError(description: "malformed ops message"))
                }
                switch record(recordObject) {
                case .success(let decoded): records.append(decoded)
                case .failure(let error): return .failure(error)
                }
            }
            return .success(.records(records))
        case "snapshot":
            guard case .integer(let version)? = object["version"], case .string(let body)? = object["text"] else {
                return .failure(DecodeError(description: "malformed snapshot"))
            }
            return .success(.snapshot(version: version, text: body))
        case "joined":
            guard case .integer(let version)? = object["version"] else {
                return .failure(DecodeError(description: "malformed joined"))
            }
            return .success(.joined(version: version))
        case "error":
            var code = "?"
            var message = ""
            var seq: Int?
            if case .string(let c)? = object["code"] { code = c }
            if case .string(let m)? = object["message"] { message = m }
            if case .integer(let s)? = object["seq"] { seq = s }
            return .success(.error(code: code, message: message, seq: seq))
        default:
            return .success(.ignored)
        }
    }

    private static func record(_ object: JSONObject) -> Result<Record, DecodeError> {
        guard case .integer(let version)? = object["v"], let opValue = object["op"],
              case .string(let clientId)? = object["clientId"], case .integer(let seq)? = object["seq"] else {
            return .failure(DecodeError(description: "malformed op record"))
        }
        // The server stores and sends an op that transformation emptied as `[]`.
        if case .array(let items) = opValue, items.isEmpty {
            return .success(Record(version: version, operation: .noop, clientId: clientId, seq: seq))
        }
        do {
            let operation = try TextOperation(json: opValue)
            return .success(Record(version: version, operation: operation, clientId: clientId, seq: seq))
        } catch {
            return .failure(DecodeError(description: "op record \(version) does not decode: \(error)"))
        }
    }

    private static func hasPrefix(_ text: String, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { prefixBytes in
            var iterator = text.utf8.makeIterator()
            for byte in prefixBytes {
                guard iterator.next() == byte else { return false }
            }
            return true
        }
    }
}
