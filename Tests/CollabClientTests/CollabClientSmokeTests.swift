import Testing
@testable import CollabClient

@Test func moduleLinks() {
    #expect(Bool(true))
}
