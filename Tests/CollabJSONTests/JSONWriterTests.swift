import Testing
import CollabJSON

private func written(_ append: (inout [UInt8]) -> Void) -> String {
    var output: [UInt8] = []
    append(&output)
    return String(decoding: output, as: UTF8.self)
}

@Suite struct JSONWriterTests {
    @Test(arguments: [
        ("", #""""#),
        ("abc", #""abc""#),
        ("a\"b\\c/d", #""a\"b\\c/d""#),
        ("\n\r\t\u{8}\u{C}", #""\n\r\t\b\f""#),
        ("\u{0}\u{1}\u{1F}\u{B}", #""\u0000\u0001\u001f\u000b""#),
        ("\u{7F}é€😀\u{2028}\u{FFFD}", "\"\u{7F}é€😀\u{2028}\u{FFFD}\""),
        ("end\"", #""end\"""#),
        ("\"start", #""\"start""#),
    ])
    func escapesOnlyWhatMustBeEscaped(text: String, json: String) throws {
        #expect(written { JSONWriter.appendString(text, into: &$0) } == json)
        #expect(try JSONReader.parse(json) == .string(text))
    }

    @Test(arguments: [0, 7, 9, 10, 11, 99, 100, -1, -9, -10, 1_234_567_890, 1_763_800_000_000,
                      Int.max, Int.min, Int.max - 1, Int.min + 1])
    func writesIntegersAsPlainDecimals(integer: Int) throws {
        #expect(written { JSONWriter.appendInteger(integer, into: &$0) } == String(integer))
        #expect(try JSONReader.parse(String(integer)) == .integer(integer))
    }

    @Test(arguments: [
        (1.0, "1.0"), (0.1, "0.1"), (-0.0, "-0.0"), (1.5, "1.5"), (1e20, "1e+20"), (1e-5, "1e-05"),
        (123.0, "123.0"), (.leastNonzeroMagnitude, "5e-324"), (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (.infinity, "null"), (-.infinity, "null"), (.nan, "null"), (.signalingNaN, "null"),
    ])
    func writesDoublesShortestAndNonFiniteAsNull(number: Double, json: String) {
        #expect(written { JSONWriter.appendDouble(number, into: &$0) } == json)
    }

    @Test func writesAWholeMessageCompactly() {
        let message: JSONValue = ["type": "op", "seq": 4, "v": 17, "op": [3, "hi", ["d": 2]]]
        #expect(message.jsonString == #"{"type":"op","seq":4,"v":17,"op":[3,"hi",{"d":2}]}"#)
        #expect(message.encoded() == utf8(#"{"type":"op","seq":4,"v":17,"op":[3,"hi",{"d":2}]}"#))
        let everything: JSONValue = [nil, true, false, -3, 2.5, "s\n", [], [:], ["a": [nil]]]
        #expect(everything.jsonString == #"[null,true,false,-3,2.5,"s\n",[],{},{"a":[null]}]"#)
        let duplicates = JSONValue.object(JSONObject([(key: "a", value: 1), (key: "a", value: 2)]))
        #expect(duplicates.jsonString == #"{"a":1,"a":2}"#)
        #expect(JSONValue.object(JSONObject([(key: "k\"", value: .number(.nan))])).jsonString == #"{"k\"":null}"#)
    }

    @Test func writesLoneSurrogateStringsWithTheirReplacementCharacters() throws {
        let parsed = try JSONReader.parse(#"["a\uD800b"]"#)
        #expect(parsed == [.stringWithLoneSurrogate("a\u{FFFD}b")])
        #expect(parsed.jsonString == "[\"a\u{FFFD}b\"]")
        #expect(try JSONReader.parse(parsed.encoded()) == ["a\u{FFFD}b"])
    }

    @Test func appendsAfterWhatIsAlreadyThere() {
        var output = utf8("prefix:")
        JSONWriter.write(["a": 1], into: &output)
        JSONWriter.appendInteger(-42, into: &output)
        JSONWriter.appendString("x", into: &output)
        JSONWriter.appendDouble(0.5, into: &output)
        #expect(String(decoding: output, as: UTF8.self) == #"prefix:{"a":1}-42"x"0.5"#)
    }
}
