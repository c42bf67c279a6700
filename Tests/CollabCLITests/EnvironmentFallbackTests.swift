import Testing
@testable import CollabCLI

@Suite struct EnvironmentFallbackTests {
    @Test func environmentSuppliesAValue() throws {
        let parsed = try SampleCommands.parse(["serve"], environment: ["SAMPLE_PORT": "9100"])
        #expect(parsed.int("--port") == 9100)
        #expect(parsed.source(of: "--port") == .environment("SAMPLE_PORT"))
    }

    @Test func commandLineWinsOverEnvironment() throws {
        let environment = ["SAMPLE_PORT": "9100", "SAMPLE_HOST": "10.0.0.1"]
        let parsed = try SampleCommands.parse(["serve", "--port", "9200"], environment: environment)
        #expect(parsed.int("--port") == 9200)
        #expect(parsed.source(of: "--port") == .commandLine)
        #expect(parsed.string("--host") == "10.0.0.1")
    }

    @Test func environmentWinsOverDefault() throws {
        let parsed = try SampleCommands.parse(["serve"], environment: ["SAMPLE_TTL": "30m"])
        #expect(parsed.duration("--ttl") == .seconds(1_800))
    }

    @Test func emptyVariableCountsAsUnset() throws {
        let parsed = try SampleCommands.parse(["serve"], environment: ["SAMPLE_PORT": ""])
        #expect(parsed.int("--port") == 8080)
        #expect(parsed.source(of: "--port") == .defaultValue)
    }

    @Test func unrelatedVariablesAreIgnored() throws {
        let parsed = try SampleCommands.parse(["serve"], environment: ["PORT": "1", "sample_port": "2"])
        #expect(parsed.int("--port") == 8080)
    }

    @Test func badEnvironmentValueNamesTheVariable() throws {
        let error = try #require(SampleCommands.error(["serve"], environment: ["SAMPLE_PORT": "http"]))
        #expect(error.reason == .invalidValue("http", option: "--port", source: .environment("SAMPLE_PORT"),
                                              expected: "an integer from 1 to 65535", suggestion: nil))
        #expect(error.exitCode == 2)
        #expect(error.description == """
            error: invalid value 'http' in SAMPLE_PORT (for '--port'): expected an integer from 1 to 65535.
            See 'tool serve --help'.
            """)
    }

    @Test func badEnvironmentValueIsIgnoredWhenTheCommandLineGivesOne() throws {
        let parsed = try SampleCommands.parse(["serve", "-p", "80"], environment: ["SAMPLE_PORT": "http"])
        #expect(parsed.int("--port") == 80)
    }

    @Test func repeatableOptionReadsACommaSeparatedList() throws {
        let environment = ["SAMPLE_ORIGINS": "https://a.example, https://b.example,,"]
        let parsed = try SampleCommands.parse(["serve"], environment: environment)
        #expect(parsed.strings("--allowed-origin") == ["https://a.example", "https://b.example"])
        let overridden = try SampleCommands.parse(["serve", "--allowed-origin", "https://c.example"],
                                                  environment: environment)
        #expect(overridden.strings("--allowed-origin") == ["https://c.example"])
    }

    @Test(arguments: [("1", true), ("true", true), ("YES", true), ("on", true),
                      ("0", false), ("false", false), ("no", false), ("Off", false)])
    func flagFromEnvironment(value: String, expected: Bool) throws {
        let parsed = try SampleCommands.parse(["serve"], environment: ["SAMPLE_INSECURE_OPEN": value])
        #expect(parsed.flag("--insecure-open") == expected)
    }

    @Test func badFlagValueInEnvironment() {
        #expect(SampleCommands.error(["serve"], environment: ["SAMPLE_INSECURE_OPEN": "maybe"])?.reason
                == .invalidValue("maybe", option: "--insecure-open",
                                 source: .environment("SAMPLE_INSECURE_OPEN"),
                                 expected: "1 or 0, true or false, yes or no, on or off",
                                 suggestion: nil))
    }

    @Test func requiredOptionMayComeFromTheEnvironment() throws {
        let spec = CommandSpec(name: "t", abstract: "T.", options: [
            .option("--sub", value: "user", help: "Who.", environment: "T_SUB", isRequired: true),
        ], action: { _ throws(CLIError) in 0 })
        let tool = CommandLineTool(root: spec)
        guard case .run(let parsed) = try tool.parse([], environment: ["T_SUB": "ada"]) else {
            Issue.record("expected a run")
            return
        }
        #expect(parsed.string("--sub") == "ada")
        #expect(throws: CLIError(.missingOption("--sub"), commandPath: ["t"])) {
            try tool.parse([], environment: [:])
        }
    }

    @Test func environmentValuesCountForConstraints() {
        let spec = CommandSpec(name: "t", abstract: "T.", options: [
            .option("--a", value: "a", help: "A.", environment: "T_A"),
            .option("--b", value: "b", help: "B."),
            .flag("--c", help: "C.", environment: "T_C"),
        ], constraints: [.mutuallyExclusive(["--a", "--b"]), .mutuallyExclusive(["--b", "--c"])],
           action: { _ throws(CLIError) in 0 })
        let tool = CommandLineTool(root: spec)
        #expect(throws: CLIError(.conflictingOptions("--a", "--b"), commandPath: ["t"])) {
            try tool.parse(["--b", "x"], environment: ["T_A": "y"])
        }
        // A flag switched off through the environment is not "given".
        #expect(throws: Never.self) {
            try tool.parse(["--b", "x"], environment: ["T_C": "0"])
        }
    }
}
