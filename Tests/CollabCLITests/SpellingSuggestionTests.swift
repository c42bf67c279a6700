import Testing
@testable import CollabCLI

@Suite struct SpellingSuggestionTests {
    @Test(arguments: [("", "", 0), ("port", "port", 0), ("prot", "port", 1), ("port", "post", 1),
                      ("serv", "serve", 1), ("kitten", "sitting", 3), ("abc", "", 3), ("ca", "abc", 3)])
    func editDistance(a: String, b: String, distance: Int) {
        #expect(SpellingSuggestion.editDistance(a, b) == distance)
        #expect(SpellingSuggestion.editDistance(b, a) == distance)
    }

    @Test func closestPrefersTheSmallestDistance() {
        let candidates = ["--host", "--port", "--post-office"]
        #expect(SpellingSuggestion.closest(to: "--prot", among: candidates) == "--port")
        #expect(SpellingSuggestion.closest(to: "--hots", among: candidates) == "--host")
    }

    @Test func unambiguousPrefixIsSuggested() {
        #expect(SpellingSuggestion.closest(to: "--allowed", among: ["--allowed-origin", "--db"])
                == "--allowed-origin")
        #expect(SpellingSuggestion.closest(to: "--max", among: ["--max-a", "--max-b"]) == nil)
    }

    @Test func farOrTinyWordsGetNoSuggestion() {
        #expect(SpellingSuggestion.closest(to: "--json", among: ["--port", "--db"]) == nil)
        #expect(SpellingSuggestion.closest(to: "-x", among: ["-o"]) == nil)
        #expect(SpellingSuggestion.closest(to: "", among: ["serve"]) == nil)
    }
}
