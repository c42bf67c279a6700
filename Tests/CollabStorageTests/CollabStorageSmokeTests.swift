import Testing
@testable import CollabStorage

@Test func moduleLinks() {
    #expect(Bool(true))
}
