import CollabPostgres
import CollabTestSupport
import Testing

@Suite struct PostgresBackendMessageDecoderTests {
    /// Hand-written server bytes: one of every message the decoder knows.
    static func message(_ type: Character, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(body.count + 4)
        return [type.asciiValue!, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
                UInt8(length & 0xFF)] + body
    }

    static func int32(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return [UInt8(bits >> 24), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits & 0xFF)]
    }

    static func int16(_ value: Int16) -> [UInt8] {
        let bits = UInt16(bitPattern: value)
        return [UInt8(bits >> 8), UInt8(bits & 0xFF)]
    }

    static func cString(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }

    static let sample: [(bytes: [UInt8], message: PostgresBackendMessage)] = [
        (message("R", int32(0)), .authentication(.ok)),
        (message("R", int32(3)), .authentication(.cleartextPassword)),
        (message("R", int32(5) + [9, 8, 7, 6]), .authentication(.md5Password(salt: [9, 8, 7, 6]))),
        (message("R", int32(10) + cString("SCRAM-SHA-256") + cString("SCRAM-SHA-256-PLUS") + [0]),
         .authentication(.sasl(mechanisms: ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"]))),
        (message("R", int32(11) + Array("r=abc,s=xyz,i=4096".utf8)),
         .authentication(.saslContinue(data: Array("r=abc,s=xyz,i=4096".utf8)))),
        (message("R", int32(12) + Array("v=xyz".utf8)), .authentication(.saslFinal(data: Array("v=xyz".utf8)))),
        (message("R", int32(7)), .authentication(.unsupported(code: 7))),
        (message("S", cString("server_version") + cString("15.5")),
         .parameterStatus(name: "server_version", value: "15.5")),
        (message("K", int32(1234) + int32(-5)), .backendKeyData(processID: 1234, secretKey: -5)),
        (message("Z", [UInt8(ascii: "I")]), .readyForQuery(.idle)),
        (message("Z", [UInt8(ascii: "T")]), .readyForQuery(.inTransaction)),
        (message("Z", [UInt8(ascii: "E")]), .readyForQuery(.failed)),
        (message("T", int16(2) + cString("id") + int32(16384) + int16(1) + int32(23) + int16(4) + int32(-1) + int16(0)
                 + cString("näme") + int32(0) + int16(0) + int32(25) + int16(-1) + int32(-1) + int16(0)),
         .rowDescription([PostgresColumn(name: "id", tableOID: 16384, columnAttributeNumber: 1, dataTypeOID: 23,
                                         dataTypeSize: 4, typeModifier: -1, formatCode: 0),
                          PostgresColumn(name: "näme")])),
        (message("D", int16(3) + int32(1) + [0x31] + int32(-1) + int32(0)), .dataRow([[0x31], nil, []])),
        (message("C", cString("INSERT 0 1")), .commandComplete(tag: "INSERT 0 1")),
        (message("1", []), .parseComplete),
        (message("2", []), .bindComplete),
        (message("3", []), .closeComplete),
        (message("n", []), .noData),
        (message("I", []), .emptyQueryResponse),
        (message("s", []), .portalSuspended),
        (message("E", [UInt8(ascii: "S")] + cString("ERROR") + [UInt8(ascii: "V")] + cString("ERROR")
                 + [UInt8(ascii: "C")] + cString("23505") + [UInt8(ascii: "M")] + cString("duplicate key")
                 + [UInt8(ascii: "n")] + cString("t_pkey") + [UInt8(ascii: "t")] + cString("t") + [0]),
         .errorResponse(PostgresDiagnostic(fields: [UInt8(ascii: "S"): "ERROR", UInt8(ascii: "V"): "ERROR",
                                                    UInt8(ascii: "C"): "23505", UInt8(ascii: "M"): "duplicate key",
                                                    UInt8(ascii: "n"): "t_pkey", UInt8(ascii: "t"): "t"]))),
        (message("N", [UInt8(ascii: "S")] + cString("NOTICE") + [UInt8(ascii: "M")] + cString("hello") + [0]),
         .noticeResponse(PostgresDiagnostic(fields: [UInt8(ascii: "S"): "NOTICE", UInt8(ascii: "M"): "hello"]))),
        (message("t", int16(2) + int32(23) + int32(25)), .parameterDescription([23, 25])),
        (message("A", int32(77) + cString("room") + cString("payload")),
         .notificationResponse(processID: 77, channel: "room", payload: "payload")),
    ]

    static var stream: [UInt8] { sample.flatMap(\.bytes) }
    static var expected: [PostgresBackendMessage] { sample.map(\.message) }

    static func decodeAll(_ chunks: [[UInt8]]) throws -> [PostgresBackendMessage] {
        var decoder = PostgresBackendMessageDecoder()
        var messages: [PostgresBackendMessage] = []
        for chunk in chunks {
            decoder.feed(chunk)
            while let message = try decoder.next() { messages.append(message) }
        }
        #expect(decoder.bufferedByteCount == 0)
        return messages
    }

    @Test func wholeStreamDecodes() throws {
        #expect(try Self.decodeAll([Self.stream]) == Self.expected)
    }

    @Test func byteByByteDecodesTheSame() throws {
        #expect(try Self.decodeAll(Self.stream.map { [$0] }) == Self.expected)
    }

    @Test func randomSplitsDecodeTheSame() throws {
        var random = SplitMix64(seed: 0x5051_4C01)
        let stream = Self.stream
        for _ in 0..<200 {
            var chunks: [[UInt8]] = []
            var index = 0
            while index < stream.count {
                let size = random.int(in: 0...min(40, stream.count - index))
                chunks.append(Array(stream[index..<index + size]))
                index += size
            }
            #expect(try Self.decodeAll(chunks) == Self.expected)
        }
    }

    @Test func partialMessageWaitsForMore() throws {
        var decoder = PostgresBackendMessageDecoder()
        let bytes = Self.message("C", Self.cString("SELECT 1"))
        decoder.feed(bytes.dropLast())
        #expect(try decoder.next() == nil)
        decoder.feed([bytes.last!])
        #expect(try decoder.next() == .commandComplete(tag: "SELECT 1"))
        #expect(try decoder.next() == nil)
    }

    @Test func oversizedLengthFailsBeforeTheBodyArrives() {
        var decoder = PostgresBackendMessageDecoder(maximumMessageLength: 1 << 20)
        decoder.feed([UInt8(ascii: "D")] + Self.int32(Int32(1 << 20) + 1))
        #expect(throws: PostgresDecodingError.messageTooLarge(type: UInt8(ascii: "D"), length: (1 << 20) + 1,
                                                               limit: 1 << 20)) { try decoder.next() }
        // Poisoned: the stream cannot be resynchronised.
        decoder.feed(Self.message("1", []))
        #expect(throws: PostgresDecodingError.self) { try decoder.next() }
    }

    @Test func hugeUnsignedLengthIsTooLarge() {
        var decoder = PostgresBackendMessageDecoder()
        decoder.feed([UInt8(ascii: "D"), 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: PostgresDecodingError.messageTooLarge(type: UInt8(ascii: "D"), length: 0xFFFF_FFFF,
                                                               limit: PostgresBackendMessageDecoder.defaultMaximumMessageLength)) {
            try decoder.next()
        }
    }

    @Test func malformedBodiesGiveTypedErrors() {
        let cases: [([UInt8], PostgresDecodingError)] = [
            ([UInt8(ascii: "C"), 0, 0, 0, 3], .lengthTooSmall(type: UInt8(ascii: "C"), length: 3)),
            (Self.message("x", []), .unknownMessageType(UInt8(ascii: "x"))),
            (Self.message("Z", [UInt8(ascii: "Q")]), .malformed(type: UInt8(ascii: "Z"), reason: "unknown transaction status 81")),
            (Self.message("C", Array("no terminator".utf8)), .malformed(type: UInt8(ascii: "C"), reason: "unterminated string")),
            (Self.message("1", [0]), .malformed(type: UInt8(ascii: "1"), reason: "1 unexpected trailing bytes")),
            (Self.message("D", Self.int16(1) + Self.int32(10) + [1, 2]),
             .malformed(type: UInt8(ascii: "D"), reason: "truncated field of 10 bytes")),
            (Self.message("D", Self.int16(1) + Self.int32(-2)),
             .malformed(type: UInt8(ascii: "D"), reason: "negative value length -2")),
            (Self.message("D", Self.int16(-1)), .malformed(type: UInt8(ascii: "D"), reason: "negative column count")),
            (Self.message("R", [0, 0]), .malformed(type: UInt8(ascii: "R"), reason: "truncated Int32")),
            (Self.message("R", Self.int32(5) + [1, 2]), .malformed(type: UInt8(ascii: "R"), reason: "truncated field of 4 bytes")),
            (Self.message("K", Self.int32(1)), .malformed(type: UInt8(ascii: "K"), reason: "truncated Int32")),
        ]
        for (bytes, error) in cases {
            var decoder = PostgresBackendMessageDecoder()
            decoder.feed(bytes)
            #expect(throws: error) { try decoder.next() }
        }
    }

    /// Seeded garbage, whole and split, and mutations of a valid stream: only messages or
    /// typed errors, never a crash, and the split never changes the outcome.
    @Test func fuzzedInputsNeverCrash() {
        var random = SplitMix64(seed: 0xF022_0013)
        let valid = Self.stream
        for round in 0..<3000 {
            var input: [UInt8]
            if round % 2 == 0 {
                input = (0..<random.int(in: 0...200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                // Mostly known type bytes with small lengths, so bodies get parsed, not just refused.
                var index = 0
                while index + 5 <= input.count, random.chance(0.8) {
                    input[index] = Array("RSKZTDC123nIsENtA".utf8)[random.int(0..<17)]
                    let length = random.int(in: 4...40)
                    input[index + 1] = 0; input[index + 2] = 0; input[index + 3] = 0
                    input[index + 4] = UInt8(length)
                    index += 1 + length
                }
            } else {
                input = valid
                for _ in 0..<random.int(in: 1...4) {
                    input[random.int(0..<input.count)] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            let whole = outcome([input])
            var chunks: [[UInt8]] = []
            var index = 0
            while index < input.count {
                let size = random.int(in: 1...min(16, input.count - index))
                chunks.append(Array(input[index..<index + size]))
                index += size
            }
            #expect(outcome(chunks) == whole, "round \(round)")
        }
    }

    private func outcome(_ chunks: [[UInt8]]) -> String {
        var decoder = PostgresBackendMessageDecoder(maximumMessageLength: 1 << 16)
        var messages: [PostgresBackendMessage] = []
        for chunk in chunks {
            decoder.feed(chunk)
            do {
                while let message = try decoder.next() { messages.append(message) }
            } catch {
                return "\(messages) error \(error)"
            }
        }
        return "\(messages)"
    }
}
