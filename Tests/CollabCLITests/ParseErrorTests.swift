import Testing
@testable import CollabCLI

@Suite struct ParseErrorTests {
    private let servePath = ["tool", "serve"]

    @Test func unknownOptionWithSuggestion() throws {
        let error = try #require(SampleCommands.error(["serve", "--prot", "80"]))
        #expect(error.reason == .unknownOption("--prot", suggestion: "--port"))
        #expect(error.exitCode == 2)
        #expect(error.description == """
            error: unknown option '--prot'. Did you mean '--port'?
            See 'tool serve --help'.
            """)
    }

    @Test func unknownOptionWithEqualsNamesOnlyTheOption() {
        #expect(SampleCommands.error(["serve", "--prot=80"])?.reason
                == .unknownOption("--prot", suggestion: "--port"))
    }

    @Test func singleDashLongNameSuggestsDoubleDash() {
        #expect(SampleCommands.error(["serve", "-port", "80"])?.reason
                == .unknownOption("-port", suggestion: "--port"))
    }

    @Test func unknownOptionWithoutCloseMatch() {
        #expect(SampleCommands.error(["serve", "--zzzzzz"])?.reason
                == .unknownOption("--zzzzzz", suggestion: nil))
        #expect(SampleCommands.error(["serve", "-x"])?.reason
                == .unknownOption("-x", suggestion: nil))
    }

    @Test func unknownOptionAtRoot() throws {
        let error = try #require(SampleCommands.error(["--verison"]))
        #expect(error.reason == .unknownOption("--verison", suggestion: "--version"))
        #expect(error.commandPath == ["tool"])
        #expect(error.exitCode == 2)
    }

    @Test func missingValueAtEnd() throws {
        let error = try #require(SampleCommands.error(["serve", "--port"]))
        #expect(error.reason == .missingValue(option: "--port"))
        #expect(error.exitCode == 2)
        #expect(error.description == "error: option '--port' needs a value.\nSee 'tool serve --help'.")
    }

    @Test func missingValueBeforeAnotherOption() {
        #expect(SampleCommands.error(["serve", "-o", "--json"])?.reason == .missingValue(option: "-o"))
        #expect(SampleCommands.error(["serve", "--host", "--"])?.reason == .missingValue(option: "--host"))
    }

    @Test func flagGivenAValue() {
        #expect(SampleCommands.error(["serve", "--json=yes"])?.reason == .unexpectedValue(option: "--json"))
    }

    @Test func badInteger() throws {
        let error = try #require(SampleCommands.error(["serve", "--port", "eighty"]))
        #expect(error.reason == .invalidValue("eighty", option: "--port", source: .commandLine,
                                              expected: "an integer from 1 to 65535", suggestion: nil))
        #expect(error.exitCode == 2)
        #expect(error.description == """
            error: invalid value 'eighty' for '--port': expected an integer from 1 to 65535.
            See 'tool serve --help'.
            """)
    }

    @Test(arguments: ["0", "65536", "-1", "99999999999999999999999"])
    func integerOutOfRange(value: String) {
        #expect(SampleCommands.error(["serve", "--port", value])?.reason
                == .invalidValue(value, option: "--port", source: .commandLine,
                                 expected: "an integer from 1 to 65535", suggestion: nil))
    }

    @Test func nonNegativeIntegerMessage() {
        #expect(SampleCommands.error(["export", "a", "--version", "-1"])?.message
                == "invalid value '-1' for '--version': expected an integer of 0 or more.")
    }

    @Test(arguments: ["8", "h", "8x", "", "30m1h", "1h1h", "8 h"])
    func badDuration(value: String) {
        #expect(SampleCommands.error(["serve", "--ttl", value])?.reason
                == .invalidValue(value, option: "--ttl", source: .commandLine,
                                 expected: "a duration such as 30s, 5m, 8h or 2d", suggestion: nil))
    }

    @Test func badChoiceSuggestsTheClosest() throws {
        let error = try #require(SampleCommands.error(["serve", "--log-format", "jsn"]))
        #expect(error.message == "invalid value 'jsn' for '--log-format': expected one of text, json. Did you mean 'json'?")
    }

    @Test func unknownSubcommand() throws {
        let error = try #require(SampleCommands.error(["exprot", "a"]))
        #expect(error.reason == .unknownSubcommand("exprot", suggestion: "export"))
        #expect(error.exitCode == 2)
        #expect(error.description == "error: unknown subcommand 'exprot'. Did you mean 'export'?\nSee 'tool --help'.")
    }

    @Test func unknownNestedSubcommand() throws {
        let error = try #require(SampleCommands.error(["bench", "stats"]))
        #expect(error.reason == .unknownSubcommand("stats", suggestion: nil))
        #expect(SampleCommands.error(["bench", "oo"])?.reason
                == .unknownSubcommand("oo", suggestion: "ot"))
        #expect(error.commandPath == ["tool", "bench"])
    }

    @Test func missingPositional() throws {
        let error = try #require(SampleCommands.error(["export", "--version", "1"]))
        #expect(error.reason == .missingArgument("doc"))
        #expect(error.description == "error: missing argument <doc>.\nSee 'tool export --help'.")
    }

    @Test func extraPositional() throws {
        let error = try #require(SampleCommands.error(["export", "a", "b"]))
        #expect(error.reason == .unexpectedArgument("b"))
        #expect(error.exitCode == 2)
    }

    @Test func missingRequiredOption() throws {
        let error = try #require(SampleCommands.error(["show", "notes"]))
        #expect(error.reason == .missingOption("--version"))
        #expect(error.description == "error: missing option '--version'.\nSee 'tool show --help'.")
    }

    @Test func mutuallyExclusiveOptions() throws {
        let error = try #require(SampleCommands.error(["export", "a", "--at", "2025-01-01", "--version", "3"]))
        #expect(error.reason == .conflictingOptions("--version", "--at"))
        #expect(error.message == "'--version' and '--at' cannot be used together.")
    }

    @Test func optionsNeededTogether() {
        #expect(SampleCommands.error(["serve", "--tls-key", "k.pem"])?.reason
                == .missingCompanion(given: "--tls-key", missing: "--tls-cert"))
    }

    @Test func runtimeFailureIsExitOneWithoutHelpPointer() {
        let error = CLIError.failure("the disk is full", commandPath: ["tool", "x"])
        #expect(!error.isUsageError)
        #expect(error.exitCode == 1)
        #expect(error.description == "error: the disk is full")
    }

    @Test func commandUsageErrorIsExitTwo() {
        let error = CLIError.usage("give a file or --stdin", commandPath: ["tool", "x"])
        #expect(error.exitCode == 2)
        #expect(error.description == "error: give a file or --stdin\nSee 'tool x --help'.")
    }

    @Test func helpWinsOverEarlierMistakes() throws {
        guard case .help(let path, _) = try SampleCommands.tool.parse(
            ["serve", "--prot", "1", "--help"], environment: [:]) else {
            Issue.record("expected help")
            return
        }
        #expect(path == servePath)
    }
}
