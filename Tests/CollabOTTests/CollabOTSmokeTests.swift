import Testing
@testable import CollabOT

@Test func moduleLinks() {
    #expect(Bool(true))
}
