import Testing
@testable import CollabAuth

@Suite struct DocumentRulesTests {
    @Test(arguments: ["a", "Z", "7", "notes-2025", "A.b_c-d", "a..", "0-", String(repeating: "x", count: 128)])
    func validDocumentIDs(id: String) {
        #expect(DocumentID.isValid(id))
        #expect(DocumentID(id)?.rawValue == id)
    }

    @Test(arguments: ["", ".a", "-a", "_a", "a b", "a%20b", "%41", "a/b", "a+b", "a*", "é", "ａ", "a\u{0}",
                      "notes\n", String(repeating: "x", count: 129)])
    func invalidDocumentIDs(id: String) {
        #expect(!DocumentID.isValid(id))
        #expect(DocumentID(id) == nil)
    }

    @Test func documentIDFromASubstring() {
        let path = "/v1/docs/notes-1"
        #expect(DocumentID(path.split(separator: "/").last!)?.description == "notes-1")
    }

    @Test func patternMatching() {
        #expect(DocumentPattern("*").matches("anything"))
        #expect(DocumentPattern("*").matches(""))
        #expect(DocumentPattern("notes-*").matches("notes-"))
        #expect(DocumentPattern("notes-*").matches("notes-abc"))
        #expect(!DocumentPattern("notes-*").matches("notes"))
        #expect(!DocumentPattern("notes-*").matches("xnotes-a"))
        // Only a trailing star is a wildcard.
        #expect(DocumentPattern("*notes").matches("*notes"))
        #expect(!DocumentPattern("*notes").matches("my-notes"))
        #expect(DocumentPattern("a*b*").matches("a*bcd"))
        #expect(!DocumentPattern("a*b*").matches("axbcd"))
        #expect(DocumentPattern("a**").matches("a*"))
        #expect(!DocumentPattern("a**").matches("ab"))
        #expect(!DocumentPattern("").matches("a"))
        // Bytes, not canonical equivalence: precomposed é is not e + combining acute.
        #expect(!DocumentPattern("caf\u{E9}").matches("cafe\u{301}"))
        #expect(!DocumentPattern("caf\u{E9}*").matches("cafe\u{301}x"))
    }

    @Test func patternsThatCanMatchSomeDocument() {
        for text in ["*", "notes", "notes-*", "a*", "a.*", String(repeating: "x", count: 127) + "*",
                     String(repeating: "x", count: 128)] {
            #expect(DocumentPattern(text).canMatchSomeDocument, "\(text)")
        }
        for text in ["", "my notes", "notes%20*", "-x*", "a*b", "**", String(repeating: "x", count: 128) + "*",
                     "é*"] {
            #expect(!DocumentPattern(text).canMatchSomeDocument, "\(text)")
        }
    }

    @Test func roleOrder() {
        #expect(Role.viewer < .editor && Role.editor < .admin && Role.viewer < .admin)
        #expect(!(Role.admin < .admin))
        #expect(Role.allCases.sorted() == [.viewer, .editor, .admin])
        #expect(Role.allCases.map(\.canWrite) == [false, true, true])
        #expect(Role.allCases.map(\.canAdminister) == [false, false, true])
        #expect(Role.default == .editor)
        #expect(Role(rawValue: "owner") == nil)
    }
}
