import Testing
@testable import CollabAuth

@Suite struct RequestTokenTests {
    typealias Headers = [(name: String, value: String)]

    func extract(_ query: Substring?, _ headers: Headers = []) throws(TokenError) -> String {
        try RequestToken.extract(query: query, headers: headers)
    }

    @Test func fromTheQuery() throws {
        #expect(try extract("token=abc.def.ghi") == "abc.def.ghi")
        #expect(try extract("a=1&token=abc&b") == "abc")
        #expect(try extract("&&token=abc&&") == "abc")
        #expect(try extract("token=ab%2Ec%2e") == "ab.c.")
        #expect(try extract("tok%65n=x") == "x")
        // RFC 3986: `+` is a plus sign, not a space.
        #expect(try extract("token=a+b") == "a+b")
        #expect(try extract("token=a=b") == "a=b")
        #expect(try extract("tokens=x&token=y&xtoken=z") == "y")
    }

    @Test func malformedQueryTokens() {
        for query: Substring in ["token=", "token", "token=%", "token=%4", "token=%zz", "token=%FF", "token=a%C3"] {
            #expect(throws: TokenError.malformed, "\(query)") { try extract(query) }
        }
    }

    @Test func missing() {
        #expect(throws: TokenError.missing) { try extract(nil) }
        #expect(throws: TokenError.missing) { try extract("") }
        #expect(throws: TokenError.missing) { try extract("a=1&Token=x&TOKEN=y") }
        #expect(throws: TokenError.missing) { try extract(nil, [("Authorization", "Basic YWRhOnB3")]) }
        #expect(throws: TokenError.missing) { try extract(nil, [("X-Authorization", "Bearer x")]) }
        #expect(throws: TokenError.missing) { try extract(nil, [("Authorization", "Bearerx")]) }
    }

    @Test func fromTheAuthorizationHeader() throws {
        #expect(try extract(nil, [("Authorization", "Bearer abc")]) == "abc")
        #expect(try extract(nil, [("authorization", "bearer abc")]) == "abc")
        #expect(try extract(nil, [("AUTHORIZATION", "BEARER   abc  ")]) == "abc")
        #expect(try extract(nil, [("Authorization", "\tBearer\tabc")]) == "abc")
        #expect(try extract("x=1", [("Host", "h"), ("Authorization", "Basic z"), ("Authorization", "Bearer t")]) == "t")
        for value in ["Bearer", "Bearer ", "Bearer a b"] {
            #expect(throws: TokenError.malformed, "\(value)") { try extract(nil, [("Authorization", value)]) }
        }
    }

    @Test func twoTokensMustAgree() throws {
        #expect(try extract("token=abc", [("Authorization", "Bearer abc")]) == "abc")
        #expect(try extract("token=abc&token=abc") == "abc")
        #expect(throws: TokenError.conflicting) { try extract("token=abc", [("Authorization", "Bearer abd")]) }
        #expect(throws: TokenError.conflicting) { try extract("token=abc&token=abd") }
        #expect(throws: TokenError.conflicting) {
            try extract(nil, [("Authorization", "Bearer a"), ("Authorization", "Bearer b")])
        }
    }

    @Test func percentDecoding() {
        #expect(RequestToken.percentDecoded(Array("a%20b%2fc%2F".utf8)) == Array("a b/c/".utf8))
        #expect(RequestToken.percentDecoded(Array("%00%ff".utf8)) == [0, 255])
        #expect(RequestToken.percentDecoded(Array("%g0".utf8)) == nil)
        #expect(RequestToken.percentDecoded(Array("100%".utf8)) == nil)
    }
}
