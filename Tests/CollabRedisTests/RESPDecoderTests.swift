import CollabRedis
import CollabTestSupport
import Testing

/// The RESP2 decoder: every type, fed whole, byte by byte and in random pieces; garbage and
/// oversized declarations are typed errors, never a crash.
@Suite struct RESPDecoderTests {
    static func decodeAll(_ bytes: [UInt8], cuts: [Int] = [], limits: RESPDecoder.Limits = .init())
        throws(RESPError) -> [RESPValue] {
        var decoder = RESPDecoder(limits: limits)
        var values: [RESPValue] = []
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            decoder.feed(bytes[start..<end])
            start = end
            while let value = try decoder.next() { values.append(value) }
        }
        return values
    }

    static let sample = Array("""
        +OK\r\n-ERR unknown command 'FOO'\r\n:-42\r\n$5\r\nh\r\nll\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n\
        *3\r\n$7\r\nmessage\r\n$6\r\ncollab\r\n$4\r\n\u{1}\u{2}é\r\n*2\r\n*1\r\n:1\r\n*2\r\n+a\r\n$-1\r\n+\r\n
        """.utf8)

    static let expected: [RESPValue] = [
        .simpleString("OK"), .error("ERR unknown command 'FOO'"), .integer(-42), .bulkString(Array("h\r\nll".utf8)),
        .bulkString([]), .bulkString(nil), .array(nil), .array([]),
        .array([.bulkString(Array("message".utf8)), .bulkString(Array("collab".utf8)), .bulkString([1, 2, 0xC3, 0xA9])]),
        .array([.array([.integer(1)]), .array([.simpleString("a"), .bulkString(nil)])]),
        .simpleString(""),
    ]

    @Test func everyTypeWholeByteByByteAndInPieces() throws {
        #expect(try Self.decodeAll(Self.sample) == Self.expected)
        #expect(try Self.decodeAll(Self.sample, cuts: Array(0...Self.sample.count)) == Self.expected)
        var random = SplitMix64(seed: 6)
        for _ in 0..<500 {
            let cuts = (0..<random.int(in: 1...10)).map { _ in random.int(0..<Self.sample.count) }.sorted()
            #expect(try Self.decodeAll(Self.sample, cuts: cuts) == Self.expected, "cuts \(cuts)")
        }
    }

    @Test func incompleteInputWaitsForMore() throws {
        var decoder = RESPDecoder()
        decoder.feed(Array("$10\r\nhello".utf8))
        #expect(try decoder.next() == nil)
        decoder.feed(Array("world\r\n*2\r\n:1\r\n".utf8))
        #expect(try decoder.next() == .bulkString(Array("helloworld".utf8)))
        #expect(try decoder.next() == nil)
        decoder.feed(Array(":2\r\n".utf8))
        #expect(try decoder.next() == .array([.integer(1), .integer(2)]))
        #expect(decoder.bufferedCount == 0)
    }

    @Test func garbageAndOversizeAreTypedErrors() {
        var limits = RESPDecoder.Limits()
        limits.maxBulkLength = 10
        limits.maxArrayCount = 3
        limits.maxDepth = 2
        limits.maxLineLength = 16
        let cases: [(String, RESPError)] = [
            ("?x\r\n", .unknownType(UInt8(ascii: "?"))),
            ("+OK\n", .malformed("line ends in LF without CR")),
            (":12a\r\n", .malformed("'12a' is not an integer")),
            ("$-2\r\n", .malformed("bulk length -2")),
            ("$11\r\n", .tooLarge("bulk string of 11 bytes (limit 10)")),
            ("$3\r\nabcXY", .malformed("bulk string not followed by CRLF")),
            ("*4\r\n", .tooLarge("array of 4 elements (limit 3)")),
            ("*1\r\n*1\r\n*1\r\n:1\r\n", .tooDeep),
            ("+" + String(repeating: "a", count: 40), .tooLarge("line over 16 bytes")),
            (":\r\n", .malformed("'' is not an integer")),
        ]
        for (text, error) in cases {
            #expect(throws: error, "\(text.debugDescription)") { try Self.decodeAll(Array(text.utf8), limits: limits) }
        }
    }

    /// Random bytes (biased towards RESP's own) never crash the decoder: it answers values,
    /// waits for more, or throws.
    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: 99)
        let alphabet: [UInt8] = Array("+-:$*\r\n0123456789-abc".utf8) + [0, 255]
        for _ in 0..<5_000 {
            let bytes = (0..<random.int(in: 0...40)).map { _ in
                random.chance(0.8) ? alphabet[random.int(0..<alphabet.count)] : UInt8(random.int(0..<256))
            }
            _ = try? Self.decodeAll(bytes, cuts: [random.int(in: 0...bytes.count)])
        }
    }

    /// Encoded commands decode back to the arrays of bulk strings they are.
    @Test func encodedCommandsRoundTrip() throws {
        var random = SplitMix64(seed: 3)
        for _ in 0..<300 {
            let arguments = (0..<random.int(in: 1...5)).map { _ in
                (0..<random.int(in: 0...20)).map { _ in UInt8(random.int(0..<256)) }
            }
            let bytes = RESPEncoder.command(arguments)
            let cuts = [random.int(in: 0...bytes.count)]
            #expect(try Self.decodeAll(bytes, cuts: cuts) == [.array(arguments.map { .bulkString($0) })])
        }
    }
}
