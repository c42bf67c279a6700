import Testing
@testable import CollabServer

@Test func moduleLinks() {
    #expect(Bool(true))
}
