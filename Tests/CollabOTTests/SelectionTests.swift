import CollabJSON
import Testing
@testable import CollabOT

@Suite struct SelectionTests {
    @Test func decodesAndEncodesTheWireForm() throws {
        let json = JSONValue.array([.array([.integer(5), .integer(9)]), .array([.integer(12), .integer(12)])])
        let selection = try #require(Selection(json: json))
        #expect(selection.ranges == [SelectionRange(anchor: 5, head: 9), SelectionRange(cursor: 12)])
        #expect(selection.json == json)
        #expect(Selection(json: .array([]))?.ranges == [])
    }

    @Test(arguments: [
        JSONValue.null,
        .object(JSONObject()),
        .array([.integer(1), .integer(2)]),
        .array([.array([.integer(1)])]),
        .array([.array([.integer(1), .integer(2), .integer(3)])]),
        .array([.array([.integer(-1), .integer(2)])]),
        .array([.array([.integer(1), .number(2.5)])]),
        .array([.array([.integer(1), .string("2")])]),
    ])
    func rejectsMalformedSelections(json: JSONValue) {
        #expect(Selection(json: json) == nil)
    }

    @Test func clampsPositionsPastTheEnd() {
        let selection = Selection([SelectionRange(anchor: 2, head: 40), SelectionRange(cursor: 11)])
        #expect(selection.clamped(toLength: 10).ranges == [SelectionRange(anchor: 2, head: 10), SelectionRange(cursor: 10)])
    }

    @Test func cursorAtAConcurrentInsertMovesAfterIt() throws {
        let insert = try TextOperation([.retain(3), .insert("abc")])
        let moved = insert.transform(selection: Selection([SelectionRange(cursor: 3), SelectionRange(anchor: 0, head: 3)]))
        #expect(moved.ranges == [SelectionRange(cursor: 6), SelectionRange(anchor: 0, head: 6)])
    }
}
