import CollabJSON
import Testing
@testable import CollabOT

/// Ops as they travel: wire text → JSONReader → TextOperation → JSONWriter → wire text.
@Suite struct TextOperationWireTests {
    private func decode(_ text: String) throws -> TextOperation {
        try TextOperation(json: try JSONReader.parse(text))
    }

    private func encode(_ op: TextOperation) -> String {
        var out: [UInt8] = []
        JSONWriter.write(op.json, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Every op in the contract, already in normal form, comes back byte for byte.
    @Test(arguments: [
        #"[6,{"d":5},"there"]"#,   // §2.2 example, normalized: insert before delete
        #"[3,"hi",{"d":2}]"#,      // §2.2 client op
        #"[5,"hi",{"d":2}]"#,      // §2.2 OP_RECORD
        #"["👩‍👩‍👧",{"d":1}]"#,
        #"[1,"a\"b\\c\n"]"#,
    ])
    func normalFormRoundTrips(wire: String) throws {
        let op = try decode(wire)
        let expected = wire == #"[6,{"d":5},"there"]"# ? #"[6,"there",{"d":5}]"# : wire
        #expect(encode(op) == expected)
        #expect(try decode(encode(op)) == op)
    }

    @Test func contractExampleApplies() throws {
        #expect(try decode(#"[6,{"d":5},"there"]"#).apply(to: "hello world") == "hello there")
    }

    /// The contract's JSON details: each form gets its own error.
    @Test(arguments: [
        (#"[]"#, TextOperationError.noEffect),
        (#"[5]"#, .noEffect),
        (#"[0,"a"]"#, .nonPositiveCount(index: 0)),
        (#"[-1,"a"]"#, .nonPositiveCount(index: 0)),
        (#"[1.5,"a"]"#, .nonIntegerCount(index: 0)),
        (#"[1e2,"a"]"#, .nonIntegerCount(index: 0)),
        (#"[1,""]"#, .emptyInsert(index: 1)),
        (#"[1,{"d":0}]"#, .nonPositiveCount(index: 1)),
        (#"[1,{"d":2.0}]"#, .nonIntegerCount(index: 1)),
        (#"["\ud800"]"#, .loneSurrogate(index: 0)),
        (#"["a\udc00b"]"#, .loneSurrogate(index: 0)),
        (#"[true]"#, .invalidComponent(index: 0)),
        (#"[null]"#, .invalidComponent(index: 0)),
        (#"{"d":1}"#, .notAnArray),
    ])
    func invalidWireFormsAreRejected(wire: String, error: TextOperationError) throws {
        #expect(throws: error) { try decode(wire) }
    }

    /// A trailing skip past the end is `bad_op` even though normalization drops it.
    @Test func trailingSkipPastTheEndIsRejected() throws {
        let op = try decode(#"["x",10]"#)
        #expect(op.components == [.insert("x")])
        #expect(throws: TextOperationError.skipPastEnd(end: 10, documentLength: 5)) {
            try op.apply(to: "hello")
        }
        #expect(try decode(#"["x",5]"#).apply(to: "hello") == "xhello")
    }

    /// A valid surrogate pair escape is one scalar, not two.
    @Test func surrogatePairEscapeIsOneScalar() throws {
        let op = try decode(#"[1,"\ud83d\ude00"]"#)
        #expect(op.components == [.retain(1), .insert("😀")])
        #expect(try op.apply(to: "ab") == "a😀b")
    }
}
