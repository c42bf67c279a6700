import Testing
@testable import CollabCLI

@Suite struct OptionParsingTests {
    @Test func separateValue() throws {
        let parsed = try SampleCommands.parse(["serve", "--port", "9000", "--host", "0.0.0.0"])
        #expect(parsed.commandPath == ["tool", "serve"])
        #expect(parsed.int("--port") == 9000)
        #expect(parsed.string("--host") == "0.0.0.0")
        #expect(parsed.source(of: "--port") == .commandLine)
    }

    @Test func equalsValue() throws {
        let parsed = try SampleCommands.parse(["serve", "--port=9001", "--host=::1"])
        #expect(parsed.int("--port") == 9001)
        #expect(parsed.string("--host") == "::1")
    }

    @Test func equalsValueKeepsLaterEqualsSigns() throws {
        let parsed = try SampleCommands.parse(["serve", "--output=a=b"])
        #expect(parsed.string("--output") == "a=b")
    }

    @Test func emptyValueWithEquals() throws {
        let parsed = try SampleCommands.parse(["serve", "--output="])
        #expect(parsed.string("--output") == "")
    }

    @Test func shortAlias() throws {
        let parsed = try SampleCommands.parse(["serve", "-p", "1234", "-o", "out.txt"])
        #expect(parsed.int("--port") == 1234)
        #expect(parsed.string("--output") == "out.txt")
    }

    @Test func lastValueWins() throws {
        let parsed = try SampleCommands.parse(["serve", "--port", "1", "-p", "2", "--port=3"])
        #expect(parsed.int("--port") == 3)
    }

    @Test func defaultsApplyWhenAbsent() throws {
        let parsed = try SampleCommands.parse(["serve"])
        #expect(parsed.int("--port") == 8080)
        #expect(parsed.string("--host") == "127.0.0.1")
        #expect(parsed.duration("--ttl") == .seconds(8 * 3600))
        #expect(parsed.string("--log-format") == "text")
        #expect(parsed.source(of: "--port") == .defaultValue)
        #expect(parsed.string("--output") == nil)
        #expect(parsed.source(of: "--output") == nil)
        #expect(parsed.flag("--json") == false)
        #expect(parsed.strings("--allowed-origin") == [])
    }

    @Test func flags() throws {
        let parsed = try SampleCommands.parse(["serve", "--json", "--json"])
        #expect(parsed.flag("--json"))
        #expect(!parsed.flag("--insecure-open"))
    }

    @Test func repeatableOptionKeepsOrder() throws {
        let parsed = try SampleCommands.parse([
            "serve", "--allowed-origin", "https://a.example", "--json",
            "--allowed-origin=https://b.example", "--allowed-origin", "https://a.example",
        ])
        #expect(parsed.strings("--allowed-origin")
                == ["https://a.example", "https://b.example", "https://a.example"])
        #expect(parsed.string("--allowed-origin") == "https://a.example")
    }

    @Test func durations() throws {
        #expect(try SampleCommands.parse(["serve", "--ttl", "30s"]).duration("--ttl") == .seconds(30))
        #expect(try SampleCommands.parse(["serve", "--ttl", "5m"]).duration("--ttl") == .seconds(300))
        #expect(try SampleCommands.parse(["serve", "--ttl=2d"]).duration("--ttl") == .seconds(172_800))
    }

    @Test func choiceValue() throws {
        #expect(try SampleCommands.parse(["serve", "--log-format", "json"]).string("--log-format") == "json")
    }

    @Test func negativeNumbersAreValues() throws {
        let parsed = try SampleCommands.parse(["serve", "--offset", "-5"])
        #expect(parsed.int("--offset") == -5)
    }

    @Test func loneDashIsAValue() throws {
        #expect(try SampleCommands.parse(["serve", "-o", "-"]).string("--output") == "-")
        #expect(try SampleCommands.parse(["export", "-"]).positional("doc") == "-")
    }

    @Test func positionalsAndOptionsInAnyOrder() throws {
        let before = try SampleCommands.parse(["export", "--version", "3", "notes"])
        let after = try SampleCommands.parse(["export", "notes", "--version", "3"])
        for parsed in [before, after] {
            #expect(parsed.positional("doc") == "notes")
            #expect(parsed.int("--version") == 3)
        }
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try SampleCommands.parse(["export", "--version", "2", "--", "--at"])
        #expect(parsed.positional("doc") == "--at")
        #expect(parsed.int("--version") == 2)
        #expect(parsed.string("--at") == nil)
    }

    @Test func helpAfterDoubleDashIsAnArgument() throws {
        let parsed = try SampleCommands.parse(["export", "--", "--help"])
        #expect(parsed.positional("doc") == "--help")
    }

    @Test func variadicArguments() throws {
        let parsed = try SampleCommands.parse(["concat", "out", "a", "b", "--", "-c"])
        #expect(parsed.positional("target") == "out")
        #expect(parsed.positionals("files") == ["a", "b", "-c"])
        let none = try SampleCommands.parse(["concat", "out"])
        #expect(none.positionals("files") == [])
    }

    @Test func subcommandOfAGroup() throws {
        let parsed = try SampleCommands.parse(["bench", "ot", "--runs", "7"])
        #expect(parsed.commandPath == ["tool", "bench", "ot"])
        #expect(parsed.int("--runs") == 7)
    }

    @Test func requiredOptionGiven() throws {
        #expect(try SampleCommands.parse(["show", "notes", "--version", "0"]).int("--version") == 0)
    }

    @Test func versionFlagAtRoot() throws {
        guard case .version(let version) = try SampleCommands.tool.parse(["--version"], environment: [:]) else {
            Issue.record("expected the version")
            return
        }
        #expect(version == "1.2.3")
    }

    @Test func subcommandOptionNamedVersionIsNotTheRootFlag() throws {
        #expect(try SampleCommands.parse(["export", "a", "--version", "4"]).int("--version") == 4)
    }

    @Test func togetherConstraintSatisfied() throws {
        let parsed = try SampleCommands.parse(["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem"])
        #expect(parsed.string("--tls-cert") == "c.pem")
        #expect(parsed.string("--tls-key") == "k.pem")
    }
}
