import Testing
@testable import CollabJSON

@Test func moduleLinks() {
    #expect(Bool(true))
}
