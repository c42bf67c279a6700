/// Turns the server's byte stream into `PostgresBackendMessage`s. Incremental and resumable:
/// feed bytes split anywhere, then call `next()` until it returns nil. After an error the
/// stream cannot be resynchronised, so the decoder keeps failing with the same error.
public struct PostgresBackendMessageDecoder: Sendable {
    /// The default limit on one message's declared length (a 1 GiB field is PostgreSQL's own
    /// ceiling; 256 MiB keeps one bad length from exhausting memory).
    public static let defaultMaximumMessageLength = 256 << 20

    /// The largest declared length accepted (including the 4 length bytes).
    public let maximumMessageLength: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: PostgresDecodingError?

    /// Creates a decoder refusing messages longer than `maximumMessageLength`.
    public init(maximumMessageLength: Int = PostgresBackendMessageDecoder.defaultMaximumMessageLength) {
        self.maximumMessageLength = maximumMessageLength
    }

    /// Bytes fed but not yet decoded.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends received bytes.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        // Compact once the consumed prefix dominates, so a long session does not grow the buffer.
        if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil when more bytes are needed.
    public mutating func next() throws(PostgresDecodingError) -> PostgresBackendMessage? {
        if let failure { throw failure }
        let available = buffer.count - readIndex
        guard available >= 5 else { return nil }
        let type = buffer[readIndex]
        let length = Int(UInt32(buffer[readIndex + 1]) << 24 | UInt32(buffer[readIndex + 2]) << 16
                         | UInt32(buffer[readIndex + 3]) << 8 | UInt32(buffer[readIndex + 4]))
        do throws(PostgresDecodingError) {
            // Checked before waiting for the body, so a huge length fails at once.
            guard length >= 4 else { throw .lengthTooSmall(type: type, length: length) }
            guard length <= maximumMessageLength else {
                throw .messageTooLarge(type: type, length: length, limit: maximumMessageLength)
            }
            guard Self.knownTypes.contains(type) else { throw .unknownMessageType(type) }
            guard available >= 1 + length else { return nil }
            let body = buffer[(readIndex + 5)..<(readIndex + 1 + length)]
            let message = try Self.decode(type: type, body: body)
            readIndex += 1 + length
            return message
        } catch {
            failure = error
            throw error
        }
    }

    private static let knownTypes: Set<UInt8> = Set("RSKZTDC123nIsENtA".utf8)

    private static func decode(type: UInt8, body: ArraySlice<UInt8>) throws(PostgresDecodingError) -> PostgresBackendMessage {
        var reader = PostgresMessageBodyReader(body, type: type)
        let message: PostgresBackendMessage
        switch type {
        case UInt8(ascii: "R"):
            message = .authentication(try authentication(&reader))
        case UInt8(ascii: "S"):
            message = .parameterStatus(name: try reader.cString(), value: try reader.cString())
        case UInt8(ascii: "K"):
            message = .backendKeyData(processID: try reader.int32(), secretKey: try reader.int32())
        case UInt8(ascii: "Z"):
            let status = try reader.byte()
            guard let transaction = PostgresTransactionStatus(rawValue: status) else {
                throw .malformed(type: type, reason: "unknown transaction status \(status)")
            }
            message = .readyForQuery(transaction)
        case UInt8(ascii: "T"):
            let count = try reader.int16()
            guard count >= 0 else { throw .malformed(type: type, reason: "negative field count") }
            var columns: [PostgresColumn] = []
            columns.reserveCapacity(min(Int(count), reader.remaining / 19))
            for _ in 0..<count {
                columns.append(PostgresColumn(
                    name: try reader.cString(), tableOID: try reader.int32(),
                    columnAttributeNumber: try reader.int16(), dataTypeOID: try reader.int32(),
                    dataTypeSize: try reader.int16(), typeModifier: try reader.int32(),
                    formatCode: try reader.int16()))
            }
            message = .rowDescription(columns)
        case UInt8(ascii: "D"):
            let count = try reader.int16()
            guard count >= 0 else { throw .malformed(type: type, reason: "negative column count") }
            var values: [[UInt8]?] = []
            values.reserveCapacity(min(Int(count), reader.remaining / 4))
            for _ in 0..<count {
                let length = try reader.int32()
                if length == -1 {
                    values.append(nil)
                } else {
                    guard length >= 0 else { throw .malformed(type: type, reason: "negative value length \(length)") }
                    values.append(try reader.bytes(Int(length)))
                }
            }
            message = .dataRow(values)
        case UInt8(ascii: "C"):
            message = .commandComplete(tag: try reader.cString())
        case UInt8(ascii: "1"): message = .parseComplete
        case UInt8(ascii: "2"): message = .bindComplete
        case UInt8(ascii: "3"): message = .closeComplete
        case UInt8(ascii: "n"): message = .noData
        case UInt8(ascii: "I"): message = .emptyQueryResponse
        case UInt8(ascii: "s"): message = .portalSuspended
        case UInt8(ascii: "E"):
            message = .errorResponse(try diagnostic(&reader))
        case UInt8(ascii: "N"):
            message = .noticeResponse(try diagnostic(&reader))
        case UInt8(ascii: "t"):
            let count = try reader.int16()
            guard count >= 0 else { throw .malformed(type: type, reason: "negative parameter count") }
            var types: [Int32] = []
            for _ in 0..<count { types.append(try reader.int32()) }
            message = .parameterDescription(types)
        case UInt8(ascii: "A"):
            message = .notificationResponse(processID: try reader.int32(), channel: try reader.cString(),
                                            payload: try reader.cString())
        default:
            throw .unknownMessageType(type)
        }
        try reader.expectEnd()
        return message
    }

    private static func authentication(_ reader: inout PostgresMessageBodyReader) throws(PostgresDecodingError) -> PostgresAuthenticationRequest {
        let code = try reader.int32()
        switch code {
        case 0: return .ok
        case 3: return .cleartextPassword
        case 5: return .md5Password(salt: try reader.bytes(4))
        case 10:
            var mechanisms: [String] = []
            while true {
                let mechanism = try reader.cString()
                if mechanism.isEmpty { break }
                mechanisms.append(mechanism)
            }
            return .sasl(mechanisms: mechanisms)
        case 11: return .saslContinue(data: reader.rest())
        case 12: return .saslFinal(data: reader.rest())
        default:
            _ = reader.rest()
            return .unsupported(code: code)
        }
    }

    private static func diagnostic(_ reader: inout PostgresMessageBodyReader) throws(PostgresDecodingError) -> PostgresDiagnostic {
        var fields: [UInt8: String] = [:]
        while true {
            let code = try reader.byte()
            if code == 0 { break }
            fields[code] = try reader.cString()
        }
        return PostgresDiagnostic(fields: fields)
    }
}
