import Testing
@testable import CollabCLI

@Suite struct DurationSyntaxTests {
    @Test(arguments: [("30s", 30), ("5m", 300), ("8h", 28_800), ("2d", 172_800),
                      ("1h30m", 5_400), ("1d2h3m4s", 93_784), ("90m", 5_400), ("0s", 0)])
    func accepted(text: String, seconds: Int64) {
        #expect(DurationSyntax.parse(text) == .seconds(seconds))
    }

    @Test(arguments: ["", "8", "s", "h8", "1.5h", "-5m", "5 m", "5M", "30m1h", "1m1m", "1w",
                      "99999999999999999999d", "106751991167301d"])
    func refused(text: String) {
        #expect(DurationSyntax.parse(text) == nil)
    }
}
