import CollabJSON
import Testing
@testable import CollabOT

/// The wire form of a delete component with `count`.
private func jsonDelete(_ count: JSONValue) -> JSONValue {
    .object(JSONObject([(key: "d", value: count)]))
}

@Suite struct TextOperationJSONTests {
    @Test func decodesTheContractExample() throws {
        let json = JSONValue.array([.integer(6), jsonDelete(.integer(5)), .string("there")])
        let operation = try TextOperation(json: json)
        // Normalized: the insert comes before the delete at the same position.
        #expect(operation.components == [.retain(6), .insert("there"), .delete(5)])
        #expect(try operation.apply(to: "hello world") == "hello there")
        #expect(operation.json == .array([.integer(6), .string("there"), jsonDelete(.integer(5))]))
    }

    @Test func decodingNormalizes() throws {
        let json = JSONValue.array([.integer(1), .integer(2), .string("a"), .string("b"), jsonDelete(.integer(1)), jsonDelete(.integer(1)), .integer(9)])
        #expect(try TextOperation(json: json).components == [.retain(3), .insert("ab"), .delete(2)])
    }

    /// Every invalid form in contract §2.2, each with its exact error.
    @Test(arguments: [
        (JSONValue.object(JSONObject()), TextOperationError.notAnArray),
        (.string("x"), .notAnArray),
        (.null, .notAnArray),
        (.integer(3), .notAnArray),
        (.array([]), .noEffect),
        (.array([.integer(4)]), .noEffect),
        (.array([.integer(4), .integer(2)]), .noEffect),
        (.array([.integer(0), .string("a")]), .nonPositiveCount(index: 0)),
        (.array([.string("a"), .integer(-2)]), .nonPositiveCount(index: 1)),
        (.array([.integer(1), jsonDelete(.integer(0))]), .nonPositiveCount(index: 1)),
        (.array([.integer(1), .string("b"), jsonDelete(.integer(-5))]), .nonPositiveCount(index: 2)),
        (.array([.number(1.5), .string("a")]), .nonIntegerCount(index: 0)),
        (.array([.number(2), .string("a")]), .nonIntegerCount(index: 0)),
        (.array([.number(1e3)]), .nonIntegerCount(index: 0)),
        (.array([.string("a"), jsonDelete(.number(2.0))]), .nonIntegerCount(index: 1)),
        (.array([.integer(Int.max), .integer(Int.max), .string("a")]), .nonIntegerCount(index: 1)),
        (.array([.integer(Int.max), jsonDelete(.integer(1))]), .nonIntegerCount(index: 1)),
        (.array([.integer(1), .string("")]), .emptyInsert(index: 1)),
        (.array([.stringWithLoneSurrogate("a\u{FFFD}")]), .loneSurrogate(index: 0)),
        (.array([.integer(2), .string("ok"), .stringWithLoneSurrogate("\u{FFFD}")]), .loneSurrogate(index: 2)),
        (.array([.null]), .invalidComponent(index: 0)),
        (.array([.string("a"), .bool(true)]), .invalidComponent(index: 1)),
        (.array([.array([.integer(1)])]), .invalidComponent(index: 0)),
        (.array([.object(JSONObject())]), .invalidComponent(index: 0)),
        (.array([.object(JSONObject([(key: "i", value: .string("a"))]))]), .invalidComponent(index: 0)),
        (.array([.object(JSONObject([(key: "d", value: .integer(1)), (key: "x", value: .integer(1))]))]), .invalidComponent(index: 0)),
        (.array([.object(JSONObject([(key: "d", value: .integer(1)), (key: "d", value: .integer(2))]))]), .invalidComponent(index: 0)),
        (.array([jsonDelete(.string("ab"))]), .invalidComponent(index: 0)),
        (.array([jsonDelete(.null)]), .invalidComponent(index: 0)),
        // The first bad component is reported, even before a later one.
        (.array([.string(""), .integer(0)]), .emptyInsert(index: 0)),
    ])
    func rejectsInvalidForms(json: JSONValue, error: TextOperationError) {
        #expect(throws: error) { try TextOperation(json: json) }
    }

    @Test func acceptsLargeButRepresentableCounts() throws {
        let operation = try TextOperation(json: .array([.integer(Int.max - 1), jsonDelete(.integer(1))]))
        #expect(operation.inputLength == Int.max)
    }

    @Test func noopEncodesAsEmptyArray() {
        #expect(TextOperation.noop.json == .array([]))
    }

    @Test func roundTripsRandomOperations() throws {
        for iteration in 0..<3000 {
            let seed = 0x4A53_4F4E_0000 &+ UInt64(iteration)
            var random = TextOperationTestRandom(seed: seed)
            let operation = random.operation(documentLength: random.int(0...30))
            if operation.isNoop { continue }
            let decoded = try TextOperation(json: operation.json)
            try #require(decoded == operation, "seed \(seed): \(operation) decoded as \(decoded)")
            try #require(decoded.json == operation.json, "seed \(seed): \(operation)")
        }
    }
}
