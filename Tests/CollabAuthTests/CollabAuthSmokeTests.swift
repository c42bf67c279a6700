import Testing
@testable import CollabAuth

@Test func moduleLinks() {
    #expect(Bool(true))
}
