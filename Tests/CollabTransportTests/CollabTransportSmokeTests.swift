import Testing
@testable import CollabTransport

@Test func moduleLinks() {
    #expect(Bool(true))
}
