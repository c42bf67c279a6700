import Testing
@testable import CollabCLI

@Test func moduleLinks() {
    #expect(Bool(true))
}
