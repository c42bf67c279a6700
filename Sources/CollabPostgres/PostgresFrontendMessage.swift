/// A message the client sends (frontend/backend protocol v3), encoded by `encode(into:)`.
public enum PostgresFrontendMessage: Sendable, Hashable {
    /// Protocol version 3.0: major 3 in the high 16 bits, minor 0.
    public static let protocolVersion: Int32 = 196_608
    /// The magic "version" that asks the server for TLS (1234 << 16 | 5679).
    public static let sslRequestCode: Int32 = 80_877_103

    /// Opens the session: protocol version then name/value pairs (user, database, ...).
    case startup(parameters: [(String, String)])
    /// Asks whether the server speaks TLS; it answers one byte, 'S' or 'N'.
    case sslRequest
    /// A cleartext or MD5-hashed password.
    case password(String)
    /// The first SASL message: the chosen mechanism and the client-first message.
    case saslInitialResponse(mechanism: String, data: [UInt8])
    /// A later SASL message (SCRAM's client-final message).
    case saslResponse(data: [UInt8])
    /// Prepares `query` as statement `statement` ("" = unnamed); parameter types left to the server.
    case parse(statement: String, query: String, parameterTypes: [Int32])
    /// Binds `parameters` (nil = NULL) to `statement` as portal `portal`.
    case bind(portal: String, statement: String, parameterFormats: [Int16], parameters: [[UInt8]?],
              resultFormats: [Int16])
    /// Asks for a statement's ('S') or portal's ('P') description.
    case describe(kind: PostgresDescribeKind, name: String)
    /// Runs `portal`, returning at most `maxRows` rows (0 = all).
    case execute(portal: String, maxRows: Int32)
    /// Closes a statement ('S') or portal ('P').
    case close(kind: PostgresDescribeKind, name: String)
    /// Ends an extended-query batch: the server answers ReadyForQuery.
    case sync
    /// Ends the session politely.
    case terminate
    /// A simple query (one or more statements, text results).
    case query(String)

    /// Appends the encoded message to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        switch self {
        case .startup(let parameters):
            let start = Self.beginUntyped(&buffer)
            Self.append(Self.protocolVersion, to: &buffer)
            for (name, value) in parameters {
                Self.appendCString(name, to: &buffer)
                Self.appendCString(value, to: &buffer)
            }
            buffer.append(0)
            Self.finish(start, &buffer)
        case .sslRequest:
            Self.append(Int32(8), to: &buffer)
            Self.append(Self.sslRequestCode, to: &buffer)
        case .password(let password):
            let start = Self.begin(UInt8(ascii: "p"), &buffer)
            Self.appendCString(password, to: &buffer)
            Self.finish(start, &buffer)
        case .saslInitialResponse(let mechanism, let data):
            let start = Self.begin(UInt8(ascii: "p"), &buffer)
            Self.appendCString(mechanism, to: &buffer)
            Self.append(Int32(data.count), to: &buffer)
            buffer.append(contentsOf: data)
            Self.finish(start, &buffer)
        case .saslResponse(let data):
            let start = Self.begin(UInt8(ascii: "p"), &buffer)
            buffer.append(contentsOf: data)
            Self.finish(start, &buffer)
        case .parse(let statement, let query, let parameterTypes):
            let start = Self.begin(UInt8(ascii: "P"), &buffer)
            Self.appendCString(statement, to: &buffer)
            Self.appendCString(query, to: &buffer)
            Self.append(Int16(clamping: parameterTypes.count), to: &buffer)
            for type in parameterTypes { Self.append(type, to: &buffer) }
            Self.finish(start, &buffer)
        case .bind(let portal, let statement, let parameterFormats, let parameters, let resultFormats):
            let start = Self.begin(UInt8(ascii: "B"), &buffer)
            Self.appendCString(portal, to: &buffer)
            Self.appendCString(statement, to: &buffer)
            Self.append(Int16(clamping: parameterFormats.count), to: &buffer)
            for format in parameterFormats { Self.append(format, to: &buffer) }
            Self.append(Int16(clamping: parameters.count), to: &buffer)
            for parameter in parameters {
                if let parameter {
                    Self.append(Int32(parameter.count), to: &buffer)
                    buffer.append(contentsOf: parameter)
                } else {
                    Self.append(Int32(-1), to: &buffer)
                }
            }
            Self.append(Int16(clamping: resultFormats.count), to: &buffer)
            for format in resultFormats { Self.append(format, to: &buffer) }
            Self.finish(start, &buffer)
        case .describe(let kind, let name):
            let start = Self.begin(UInt8(ascii: "D"), &buffer)
            buffer.append(kind.rawValue)
            Self.appendCString(name, to: &buffer)
            Self.finish(start, &buffer)
        case .execute(let portal, let maxRows):
            let start = Self.begin(UInt8(ascii: "E"), &buffer)
            Self.appendCString(portal, to: &buffer)
            Self.append(maxRows, to: &buffer)
            Self.finish(start, &buffer)
        case .close(let kind, let name):
            let start = Self.begin(UInt8(ascii: "C"), &buffer)
            buffer.append(kind.rawValue)
            Self.appendCString(name, to: &buffer)
            Self.finish(start, &buffer)
        case .sync:
            Self.finish(Self.begin(UInt8(ascii: "S"), &buffer), &buffer)
        case .terminate:
            Self.finish(Self.begin(UInt8(ascii: "X"), &buffer), &buffer)
        case .query(let sql):
            let start = Self.begin(UInt8(ascii: "Q"), &buffer)
            Self.appendCString(sql, to: &buffer)
            Self.finish(start, &buffer)
        }
    }

    /// The encoded bytes of `messages`, in order, in one buffer.
    public static func encode(_ messages: [PostgresFrontendMessage]) -> [UInt8] {
        var buffer: [UInt8] = []
        for message in messages { message.encode(into: &buffer) }
        return buffer
    }

    /// True when `text` can travel as a C string (no NUL byte).
    public static func isValidCString(_ text: String) -> Bool {
        !text.utf8.contains(0)
    }

    public static func == (lhs: PostgresFrontendMessage, rhs: PostgresFrontendMessage) -> Bool {
        encode([lhs]) == encode([rhs])
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Self.encode([self]))
    }

    // The length counts itself but not the type byte; it is patched in once the body is written.
    private static func begin(_ type: UInt8, _ buffer: inout [UInt8]) -> Int {
        buffer.append(type)
        return beginUntyped(&buffer)
    }

    private static func beginUntyped(_ buffer: inout [UInt8]) -> Int {
        let start = buffer.count
        buffer.append(contentsOf: [0, 0, 0, 0])
        return start
    }

    private static func finish(_ start: Int, _ buffer: inout [UInt8]) {
        let length = UInt32(buffer.count - start)
        buffer[start] = UInt8(length >> 24)
        buffer[start + 1] = UInt8((length >> 16) & 0xFF)
        buffer[start + 2] = UInt8((length >> 8) & 0xFF)
        buffer[start + 3] = UInt8(length & 0xFF)
    }

    private static func append(_ value: Int32, to buffer: inout [UInt8]) {
        let bits = UInt32(bitPattern: value)
        buffer.append(contentsOf: [UInt8(bits >> 24), UInt8((bits >> 16) & 0xFF),
                                   UInt8((bits >> 8) & 0xFF), UInt8(bits & 0xFF)])
    }

    private static func append(_ value: Int16, to buffer: inout [UInt8]) {
        let bits = UInt16(bitPattern: value)
        buffer.append(contentsOf: [UInt8(bits >> 8), UInt8(bits & 0xFF)])
    }

    // Callers check `isValidCString` first; a NUL here would cut the string short on the server.
    private static func appendCString(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0)
    }
}
