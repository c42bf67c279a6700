import Testing
import CollabJSON

/// An input the reader must accept, and exactly what it reads.
struct ValidCase: Sendable, CustomTestStringConvertible {
    var input: String
    var expected: JSONValue
    var testDescription: String { input.debugDescription }
}

/// An input the reader must refuse, with the error it must give.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    var input: [UInt8]
    var kind: JSONError.Kind
    var offset: Int
    var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription }

    init(_ input: String, _ kind: JSONError.Kind, at offset: Int) {
        self.init(bytes: utf8(input), kind, at: offset)
    }

    init(bytes: [UInt8], _ kind: JSONError.Kind, at offset: Int) {
        self.input = bytes
        self.kind = kind
        self.offset = offset
    }
}

private func nestedArrays(_ depth: Int) -> String {
    String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
}

private func nestedArraysValue(_ depth: Int) -> JSONValue {
    var value: JSONValue = .array([])
    for _ in 1..<depth { value = .array([value]) }
    return value
}

private func nestedObjects(_ depth: Int) -> String {
    String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
}

private func nestedObjectsValue(_ depth: Int) -> JSONValue {
    var value: JSONValue = 1
    for _ in 0..<depth { value = ["a": value] }
    return value
}

let validCases: [ValidCase] = [
    // Literals and whitespace.
    ValidCase(input: "null", expected: .null),
    ValidCase(input: "true", expected: .bool(true)),
    ValidCase(input: "false", expected: .bool(false)),
    ValidCase(input: " \t\r\n 1 \n\t\r ", expected: .integer(1)),
    // Integers.
    ValidCase(input: "0", expected: .integer(0)),
    ValidCase(input: "-0", expected: .integer(0)),
    ValidCase(input: "7", expected: .integer(7)),
    ValidCase(input: "-123", expected: .integer(-123)),
    ValidCase(input: "1763800000000", expected: .integer(1_763_800_000_000)),
    ValidCase(input: "9223372036854775807", expected: .integer(Int.max)),
    ValidCase(input: "-9223372036854775808", expected: .integer(Int.min)),
    // Out of Int range: a number.
    ValidCase(input: "9223372036854775808", expected: .number(9_223_372_036_854_775_808.0)),
    ValidCase(input: "-9223372036854775809", expected: .number(-9_223_372_036_854_775_809.0)),
    ValidCase(input: "123456789012345678901234567890", expected: .number(1.2345678901234568e29)),
    // Fractions and exponents: always a number, even when integral.
    ValidCase(input: "1.0", expected: .number(1.0)),
    ValidCase(input: "1.5", expected: .number(1.5)),
    ValidCase(input: "-0.0", expected: .number(-0.0)),
    ValidCase(input: "0.1", expected: .number(0.1)),
    ValidCase(input: "1e3", expected: .number(1000)),
    ValidCase(input: "1E3", expected: .number(1000)),
    ValidCase(input: "1e+3", expected: .number(1000)),
    ValidCase(input: "1e-3", expected: .number(0.001)),
    ValidCase(input: "2.5E-3", expected: .number(0.0025)),
    ValidCase(input: "0e0", expected: .number(0)),
    ValidCase(input: "-12.5e1", expected: .number(-125)),
    ValidCase(input: "1e007", expected: .number(1e7)),
    ValidCase(input: "4.9406564584124654e-324", expected: .number(.leastNonzeroMagnitude)),
    ValidCase(input: "1.7976931348623157e308", expected: .number(1.7976931348623157e308)),
    ValidCase(input: "0.30000000000000004", expected: .number(0.30000000000000004)),
    ValidCase(input: "1e400", expected: .number(.infinity)),
    ValidCase(input: "-1e400", expected: .number(-.infinity)),
    ValidCase(input: "1e-400", expected: .number(0)),
    // Strings.
    ValidCase(input: #""""#, expected: .string("")),
    ValidCase(input: #""abc""#, expected: .string("abc")),
    ValidCase(input: #""\"\\\/\b\f\n\r\t""#, expected: .string("\"\\/\u{8}\u{C}\n\r\t")),
    ValidCase(input: #""a\nb""#, expected: .string("a\nb")),
    ValidCase(input: #""\u0041\u00e9\u20AC""#, expected: .string("Aé€")),
    ValidCase(input: #""\u0000""#, expected: .string("\u{0}")),
    ValidCase(input: #""\u001f\u007F""#, expected: .string("\u{1F}\u{7F}")),
    ValidCase(input: #""\uFFFD""#, expected: .string("\u{FFFD}")),
    ValidCase(input: "\"\u{7F}\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}\"",
              expected: .string("\u{7F}\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}")),
    ValidCase(input: "\"héllo wörld 日本語\"", expected: .string("héllo wörld 日本語")),
    // Surrogate pairs and emoji.
    ValidCase(input: #""\uD83D\uDE00""#, expected: .string("😀")),
    ValidCase(input: #""\ud83d\ude00""#, expected: .string("😀")),
    ValidCase(input: #""\uDBFF\uDFFF""#, expected: .string("\u{10FFFF}")),
    ValidCase(input: #""\uD800\uDC00""#, expected: .string("\u{10000}")),
    ValidCase(input: "\"😀👍🏽🇫🇷\"", expected: .string("😀👍🏽🇫🇷")),
    ValidCase(input: #""x\uD83D\uDE00y😀""#, expected: .string("x😀y😀")),
    // Lone surrogates: accepted, marked, replaced by U+FFFD.
    ValidCase(input: #""\uD800""#, expected: .stringWithLoneSurrogate("\u{FFFD}")),
    ValidCase(input: #""a\uD83Db""#, expected: .stringWithLoneSurrogate("a\u{FFFD}b")),
    ValidCase(input: #""x\uD83D""#, expected: .stringWithLoneSurrogate("x\u{FFFD}")),
    ValidCase(input: #""\uDC00""#, expected: .stringWithLoneSurrogate("\u{FFFD}")),
    ValidCase(input: #""a\uDE00b""#, expected: .stringWithLoneSurrogate("a\u{FFFD}b")),
    ValidCase(input: #""\uDE00\uD83D""#, expected: .stringWithLoneSurrogate("\u{FFFD}\u{FFFD}")),
    ValidCase(input: #""\uD83D\uD83D\uDE00""#, expected: .stringWithLoneSurrogate("\u{FFFD}😀")),
    ValidCase(input: #""\uD800\u0041""#, expected: .stringWithLoneSurrogate("\u{FFFD}A")),
    ValidCase(input: #""\uD800\n""#, expected: .stringWithLoneSurrogate("\u{FFFD}\n")),
    ValidCase(input: #""\uD800\\uDC00""#, expected: .stringWithLoneSurrogate("\u{FFFD}\\uDC00")),
    ValidCase(input: #"["\uD800", "ok"]"#, expected: [.stringWithLoneSurrogate("\u{FFFD}"), "ok"]),
    // Containers.
    ValidCase(input: "[]", expected: []),
    ValidCase(input: "{}", expected: [:]),
    ValidCase(input: "[ ]", expected: []),
    ValidCase(input: "{ \n }", expected: [:]),
    ValidCase(input: "[1,[2,[3]],[]]", expected: [1, [2, [3]], []]),
    ValidCase(input: #"[null,true,false,0,-1.5,"s",{},[]]"#, expected: [nil, true, false, 0, -1.5, "s", [:], []]),
    ValidCase(input: #" { "a" : [ 1 , 2 ] , "b" : { } } "#, expected: ["a": [1, 2], "b": [:]]),
    ValidCase(input: #"{"a":1,"a":2}"#, expected: .object(JSONObject([(key: "a", value: 1), (key: "a", value: 2)]))),
    ValidCase(input: #"{"":""}"#, expected: ["": ""]),
    ValidCase(input: #"{"k\u00e9y\n":1}"#, expected: ["kéy\n": 1]),
    ValidCase(input: #"{"\uD83D\uDE00":"\uD83D\uDE00"}"#, expected: ["😀": "😀"]),
    // Depth: 32 levels is the limit and is accepted.
    ValidCase(input: nestedArrays(32), expected: nestedArraysValue(32)),
    ValidCase(input: nestedObjects(32), expected: nestedObjectsValue(32)),
]

let invalidCases: [InvalidCase] = [
    // Nothing, or too much.
    InvalidCase("", .unexpectedEnd, at: 0),
    InvalidCase("   ", .unexpectedEnd, at: 3),
    InvalidCase("1 2", .trailingData, at: 2),
    InvalidCase("{}}", .trailingData, at: 2),
    InvalidCase("[]x", .trailingData, at: 2),
    InvalidCase("1\u{0}", .trailingData, at: 1),
    InvalidCase("0x10", .trailingData, at: 1),
    InvalidCase("1 /* c */", .trailingData, at: 2),
    InvalidCase("{} // c", .trailingData, at: 3),
    // Whitespace other than space, tab, CR, LF; byte order mark.
    InvalidCase("\u{C}1", .unexpectedByte(0x0C), at: 0),
    InvalidCase("\u{B}1", .unexpectedByte(0x0B), at: 0),
    InvalidCase(bytes: [0xC2, 0xA0, 0x31], .unexpectedByte(0xC2), at: 0),
    InvalidCase(bytes: [0xEF, 0xBB, 0xBF, 0x31], .unexpectedByte(0xEF), at: 0),
    // Structure.
    InvalidCase("[1,]", .unexpectedByte(UInt8(ascii: "]")), at: 3),
    InvalidCase("[1,,2]", .unexpectedByte(UInt8(ascii: ",")), at: 3),
    InvalidCase("[,1]", .unexpectedByte(UInt8(ascii: ",")), at: 1),
    InvalidCase(#"{"a":1,}"#, .unexpectedByte(UInt8(ascii: "}")), at: 7),
    InvalidCase("{,}", .unexpectedByte(UInt8(ascii: ",")), at: 1),
    InvalidCase("[1 2]", .unexpectedByte(UInt8(ascii: "2")), at: 3),
    InvalidCase(#"{"a" 1}"#, .unexpectedByte(UInt8(ascii: "1")), at: 5),
    InvalidCase(#"{"a":}"#, .unexpectedByte(UInt8(ascii: "}")), at: 5),
    InvalidCase(#"{"a":1 "b":2}"#, .unexpectedByte(UInt8(ascii: "\"")), at: 7),
    InvalidCase("{a:1}", .unexpectedByte(UInt8(ascii: "a")), at: 1),
    InvalidCase("{1:1}", .unexpectedByte(UInt8(ascii: "1")), at: 1),
    InvalidCase("{'a':1}", .unexpectedByte(UInt8(ascii: "'")), at: 1),
    InvalidCase("['a']", .unexpectedByte(UInt8(ascii: "'")), at: 1),
    InvalidCase("[}", .unexpectedByte(UInt8(ascii: "}")), at: 1),
    InvalidCase("{]", .unexpectedByte(UInt8(ascii: "]")), at: 1),
    InvalidCase("[1}", .unexpectedByte(UInt8(ascii: "}")), at: 2),
    InvalidCase(#"{"a":1]"#, .unexpectedByte(UInt8(ascii: "]")), at: 6),
    InvalidCase("]", .unexpectedByte(UInt8(ascii: "]")), at: 0),
    InvalidCase("// c\n1", .unexpectedByte(UInt8(ascii: "/")), at: 0),
    InvalidCase("[1", .unexpectedEnd, at: 2),
    InvalidCase("[1,", .unexpectedEnd, at: 3),
    InvalidCase("[", .unexpectedEnd, at: 1),
    InvalidCase("{", .unexpectedEnd, at: 1),
    InvalidCase(#"{"a""#, .unexpectedEnd, at: 4),
    InvalidCase(#"{"a":"#, .unexpectedEnd, at: 5),
    InvalidCase(#"{"a":1"#, .unexpectedEnd, at: 6),
    InvalidCase(#"{"a":1,"#, .unexpectedEnd, at: 7),
    // Literals.
    InvalidCase("tru", .unexpectedEnd, at: 3),
    InvalidCase("trUe", .unexpectedByte(UInt8(ascii: "U")), at: 2),
    InvalidCase("True", .unexpectedByte(UInt8(ascii: "T")), at: 0),
    InvalidCase("nul", .unexpectedEnd, at: 3),
    InvalidCase("nulll", .trailingData, at: 4),
    InvalidCase("fals", .unexpectedEnd, at: 4),
    InvalidCase("undefined", .unexpectedByte(UInt8(ascii: "u")), at: 0),
    InvalidCase("NaN", .unexpectedByte(UInt8(ascii: "N")), at: 0),
    InvalidCase("Infinity", .unexpectedByte(UInt8(ascii: "I")), at: 0),
    InvalidCase("-Infinity", .invalidNumber, at: 1),
    // Numbers.
    InvalidCase("01", .invalidNumber, at: 1),
    InvalidCase("00", .invalidNumber, at: 1),
    InvalidCase("-01", .invalidNumber, at: 2),
    InvalidCase("[01]", .invalidNumber, at: 2),
    InvalidCase("+1", .unexpectedByte(UInt8(ascii: "+")), at: 0),
    InvalidCase(".5", .unexpectedByte(UInt8(ascii: ".")), at: 0),
    InvalidCase("-.5", .invalidNumber, at: 1),
    InvalidCase("1.", .unexpectedEnd, at: 2),
    InvalidCase("[1.]", .invalidNumber, at: 3),
    InvalidCase("1.e5", .invalidNumber, at: 2),
    InvalidCase("1e", .unexpectedEnd, at: 2),
    InvalidCase("1e+", .unexpectedEnd, at: 3),
    InvalidCase("[1e]", .invalidNumber, at: 3),
    InvalidCase("[1e-]", .invalidNumber, at: 4),
    InvalidCase("1e+-1", .invalidNumber, at: 3),
    InvalidCase("-", .unexpectedEnd, at: 1),
    InvalidCase("- 1", .invalidNumber, at: 1),
    InvalidCase("--1", .invalidNumber, at: 1),
    InvalidCase("1.5.2", .trailingData, at: 3),
    InvalidCase("[1,2,3,4x]", .unexpectedByte(UInt8(ascii: "x")), at: 8),
    // Strings.
    InvalidCase(#""abc"#, .unexpectedEnd, at: 4),
    InvalidCase(#"""#, .unexpectedEnd, at: 1),
    InvalidCase("\"a\u{1}b\"", .controlCharacterInString, at: 2),
    InvalidCase("\"\t\"", .controlCharacterInString, at: 1),
    InvalidCase("\"a\nb\"", .controlCharacterInString, at: 2),
    InvalidCase("\"\u{0}\"", .controlCharacterInString, at: 1),
    InvalidCase("\"\\n\u{1F}\"", .controlCharacterInString, at: 3),
    InvalidCase(#""\x""#, .invalidEscape, at: 1),
    InvalidCase(#""ab\'""#, .invalidEscape, at: 3),
    InvalidCase(#""\U0041""#, .invalidEscape, at: 1),
    InvalidCase(#""\u12G4""#, .invalidEscape, at: 1),
    InvalidCase(#""\u 123""#, .invalidEscape, at: 1),
    InvalidCase(#""\uD800\u12G4""#, .invalidEscape, at: 7),
    InvalidCase(#""\u12"#, .unexpectedEnd, at: 5),
    InvalidCase(#""\"#, .unexpectedEnd, at: 2),
    InvalidCase(#""\u""#, .invalidEscape, at: 1),
    InvalidCase("\"\\\u{0}\"", .invalidEscape, at: 1),
    // UTF-8.
    InvalidCase(bytes: [0x22, 0x80, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xBF, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xC0, 0x80, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xC1, 0xBF, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0x61, 0xE0, 0x80, 0x80, 0x22], .invalidUTF8, at: 2),
    InvalidCase(bytes: [0x22, 0xE0, 0x9F, 0xBF, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xF0, 0x80, 0x80, 0x80, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xED, 0xBF, 0xBF, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xF8, 0x88, 0x80, 0x80, 0x80, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xFE, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xFF, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xC3, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xE2, 0x82, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xE2, 0x28, 0xA1, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x22], .invalidUTF8, at: 1),
    InvalidCase(bytes: [0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22], .invalidUTF8, at: 3),
    InvalidCase(bytes: [0x22, 0xE2, 0x82], .unexpectedEnd, at: 3),
    InvalidCase(bytes: [0x22, 0xF0, 0x9F, 0x98], .unexpectedEnd, at: 4),
    InvalidCase(bytes: [0x5B, 0xC3, 0xA9, 0x5D], .unexpectedByte(0xC3), at: 1),
    // Lone surrogates in keys.
    InvalidCase(#"{"a\uD800":1}"#, .loneSurrogateInKey, at: 3),
    InvalidCase(#"{"\uDC00":1}"#, .loneSurrogateInKey, at: 2),
    InvalidCase(#"{"ok":1,"x\uDE00\uD83D":2}"#, .loneSurrogateInKey, at: 10),
    // Depth: 33 levels is one too many, empty or not, arrays or objects.
    InvalidCase(nestedArrays(33), .tooDeep, at: 32),
    InvalidCase(String(repeating: "[", count: 33), .tooDeep, at: 32),
    InvalidCase(String(repeating: "[1,", count: 33), .tooDeep, at: 32 * 3),
    InvalidCase(nestedObjects(33), .tooDeep, at: 32 * 5),
    InvalidCase("[" + nestedObjects(32) + "]", .tooDeep, at: 1 + 31 * 5),
]

@Suite struct JSONReaderTests {
    @Test(arguments: validCases)
    func readsValidInput(_ valid: ValidCase) throws {
        let value = try JSONReader.parse(valid.input)
        #expect(value == valid.expected)
        // The three entry points agree.
        #expect(try JSONReader.parse(utf8(valid.input)) == valid.expected)
        let bytes = utf8(valid.input)
        let fromBuffer = try bytes.withUnsafeBytes { buffer throws(JSONError) in try JSONReader.parse(buffer) }
        #expect(fromBuffer == valid.expected)
    }

    @Test(arguments: invalidCases)
    func refusesInvalidInput(_ invalid: InvalidCase) {
        #expect(throws: JSONError(invalid.kind, at: invalid.offset)) {
            try JSONReader.parse(invalid.input)
        }
    }

    @Test func keepsTheSignOfNegativeZeroAndTheKindOfNumbers() throws {
        guard case .number(let zero) = try JSONReader.parse("-0.0") else {
            Issue.record("-0.0 is not a number")
            return
        }
        #expect(zero.sign == .minus)
        #expect(try JSONReader.parse("-0") == .integer(0))
        #expect(try JSONReader.parse("2") != .number(2))
        #expect(try JSONReader.parse("2.0") != .integer(2))
    }

    @Test func keepsDuplicateKeysInOrderAndLooksUpTheLast() throws {
        guard case .object(let object) = try JSONReader.parse(#"{"a":1,"b":2,"a":3}"#) else {
            Issue.record("not an object")
            return
        }
        #expect(object.members.map(\.key) == ["a", "b", "a"])
        #expect(object["a"] == .integer(3))
        #expect(object["b"] == .integer(2))
        #expect(object["c"] == nil)
    }

    @Test func depthLimitIsAParameter() throws {
        #expect(try JSONReader.parse("[[1]]", maxDepth: 2) == [[1]])
        #expect(throws: JSONError(.tooDeep, at: 2)) { try JSONReader.parse("[[[1]]]", maxDepth: 2) }
        #expect(throws: JSONError(.tooDeep, at: 0)) { try JSONReader.parse("[]", maxDepth: 0) }
        #expect(try JSONReader.parse("7", maxDepth: 0) == 7)
        #expect(try JSONReader.parse(nestedArrays(100), maxDepth: 100) == nestedArraysValue(100))
    }

    @Test func refusesAMillionOpenBracketsQuickly() {
        let clock = ContinuousClock()
        let brackets = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        let elapsed = clock.measure {
            #expect(throws: JSONError(.tooDeep, at: 32)) { try JSONReader.parse(brackets) }
        }
        #expect(elapsed < .seconds(1))
        let objects = [UInt8](String(repeating: #"{"a":"#, count: 200_000).utf8)
        #expect(throws: JSONError(.tooDeep, at: 32 * 5)) { try JSONReader.parse(objects) }
    }

    @Test func aMillionOpenBracketsWithNoLimitDoNotExhaustTheStack() {
        // The reader keeps its own stack, so even an absurd limit cannot overflow the thread's.
        let brackets = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONError(.unexpectedEnd, at: 1_000_000)) {
            try JSONReader.parse(brackets, maxDepth: .max)
        }
        let unclosed = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000) + [UInt8(ascii: "}")]
        #expect(throws: JSONError(.unexpectedByte(UInt8(ascii: "}")), at: 1_000_000)) {
            try JSONReader.parse(unclosed, maxDepth: .max)
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect(JSONError(.unexpectedByte(UInt8(ascii: ",")), at: 17).description == "unexpected byte ',' at offset 17")
        #expect(JSONError(.unexpectedByte(0x01), at: 3).description == "unexpected byte 0x01 at offset 3")
        #expect(JSONError(.unexpectedByte(0xEF), at: 0).description == "unexpected byte 0xEF at offset 0")
        #expect(JSONError(.unexpectedByte(0x20), at: 0).description == "unexpected byte 0x20 at offset 0")
        #expect(JSONError(.unexpectedEnd, at: 5).description == "unexpected end of input at offset 5")
        #expect(JSONError(.tooDeep, at: 32).description == "nesting too deep at offset 32")
        #expect(JSONError(.loneSurrogateInKey, at: 2).description == "lone surrogate escape in object key at offset 2")
        do {
            _ = try JSONReader.parse(#"{"type":"op","seq":,}"#)
            Issue.record("parsed invalid input")
        } catch {
            #expect(error.description == "unexpected byte ',' at offset 19")
        }
    }

    @Test func readsFromASliceOfALargerBuffer() throws {
        let bytes = utf8(#"xx{"a":[1,"b"]}yy"#)
        let value = try bytes.withUnsafeBytes { buffer throws(JSONError) in
            try JSONReader.parse(UnsafeRawBufferPointer(rebasing: buffer[2..<(buffer.count - 2)]))
        }
        #expect(value == ["a": [1, "b"]])
    }
}
