import Testing
@testable import CollabCLI

@Suite struct HelpFormatterTests {
    private func helpText(_ words: [String]) throws -> String {
        guard case .help(_, let text) = try SampleCommands.tool.parse(words, environment: [:]) else {
            Issue.record("expected help for \(words)")
            return ""
        }
        return text
    }

    @Test func leafCommandWordForWord() throws {
        #expect(try helpText(["export", "--help"]) == """
            OVERVIEW: Write a document.

            Without --version or --at the current text is written.

            USAGE: tool export <doc> [--version <n> | --at <time>] [-o <file>]

            ARGUMENTS:
              <doc>                   The document id.

            OPTIONS:
              --version <n>           The version to write.
              --at <time>             The time to write it as of.
              -o, --output <file>     Write to this file instead of standard output.
              -h, --help              Show help information.

            EXAMPLES:
              Save version 3 of notes:
                tool export notes --version 3 -o notes.txt

            """)
    }

    @Test func rootCommandWordForWord() throws {
        #expect(try helpText(["--help"]) == """
            OVERVIEW: A sample tool.

            USAGE: tool <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              serve                   Run the sample server.
              export                  Write a document.
              show                    Print a document at one version.
              concat                  Join files.
              fail                    Always fail.
              bench                   Measure things.
              help                    Show subcommand help information.

              See 'tool help <subcommand>' for detailed help.

            """)
    }

    @Test func nestedGroupWordForWord() throws {
        #expect(try helpText(["bench"]) == """
            OVERVIEW: Measure things.

            USAGE: tool bench <subcommand>

            OPTIONS:
              -h, --help              Show help information.

            SUBCOMMANDS:
              ot                      Measure the OT engine.

              See 'tool help bench <subcommand>' for detailed help.

            """)
    }

    @Test func optionsShowDefaultsValuesAndEnvironmentWordForWord() throws {
        #expect(try helpText(["serve", "-h"]) == """
            OVERVIEW: Run the sample server.

            USAGE: tool serve [<options>]

            OPTIONS:
              --host <address>        The address to listen on. (default: 127.0.0.1; env:
                                      SAMPLE_HOST)
              -p, --port <port>       The TCP port to listen on. (default: 8080; env:
                                      SAMPLE_PORT)
              --ttl <duration>        How long sessions last. (default: 8h; env: SAMPLE_TTL)
              --log-format <format>   How log lines look. (values: text, json; default:
                                      text)
              --allowed-origin <origin>
                                      An origin to accept. (repeatable; env: SAMPLE_ORIGINS,
                                      comma-separated)
              --json                  Print JSON.
              --insecure-open         Allow open mode anywhere. (env: SAMPLE_INSECURE_OPEN)
              -o, --output <file>     Where to write.
              --tls-cert <path>       A certificate.
              --tls-key <path>        A private key.
              --offset <n>            A signed number.
              -h, --help              Show help information.

            """)
    }

    @Test func usageShowsRequiredOptionsAndVariadicArguments() throws {
        #expect(try helpText(["show", "-h"]).contains("\nUSAGE: tool show <doc> --version <n>\n"))
        #expect(try helpText(["concat", "-h"]).contains("\nUSAGE: tool concat <target> [<files> ...]\n"))
    }

    @Test(arguments: [["serve"], ["export"], ["show"], ["concat"], ["fail"], ["bench"], ["bench", "ot"]])
    func helpSubcommandEqualsDashDashHelp(path: [String]) throws {
        let viaHelp = try helpText(["help"] + path)
        #expect(viaHelp == (try helpText(path + ["--help"])))
        #expect(viaHelp == (try helpText(path + ["-h"])))
        #expect(viaHelp.hasPrefix("OVERVIEW: "))
    }

    @Test func helpAloneIsTheRootHelp() throws {
        #expect(try helpText(["help"]) == (try helpText(["--help"])))
        #expect(try helpText([]) == (try helpText(["--help"])))
        #expect(try helpText(["help", "help"]) == (try helpText(["--help"])))
    }

    @Test func helpForAnUnknownSubcommandIsAUsageError() {
        #expect(SampleCommands.error(["help", "exprot"])?.reason
                == .unknownSubcommand("exprot", suggestion: "export"))
        #expect(SampleCommands.error(["help", "serve", "extra"])?.reason == .unexpectedArgument("extra"))
    }

    @Test func longLabelPutsTheTextOnTheNextLine() {
        let formatter = HelpFormatter()
        #expect(formatter.row(label: "--a-very-long-option <value>", text: "Short.") == """
              --a-very-long-option <value>
                                      Short.
            """)
        #expect(formatter.row(label: "--exactly-21-chars-xx", text: "Fits.")
                == "  --exactly-21-chars-xx   Fits.")
        #expect(formatter.row(label: "--exactly-24-chars-xxxxx", text: "Next.")
                == "  --exactly-24-chars-xxxxx\n                          Next.")
    }

    @Test func wrappingBreaksBetweenWordsWithinTheWidth() {
        let words = (1...60).map { "w\($0)" }.joined(separator: " ")
        let text = TextWrapping.wrap(words, width: 40, prefix: "OVERVIEW: ", indent: 4)
        let lines = text.split(separator: "\n")
        #expect(lines.count > 1)
        for line in lines {
            #expect(line.count <= 40, "\(line)")
            #expect(!line.hasSuffix(" "))
        }
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    w") })
        #expect(lines.joined(separator: " ").split(separator: " ").filter { $0 != "OVERVIEW:" }
                == words.split(separator: " "))
    }

    @Test func wrappingKeepsParagraphs() {
        #expect(TextWrapping.wrap("one two\n\nthree", width: 80) == "one two\n\nthree")
    }

    @Test func longUsageWrapsUnderTheCommand() {
        let options = (1...5).map { OptionSpec.option("--option-number-\($0)", value: "value", help: "") }
        let spec = CommandSpec(name: "cmd", abstract: "", options: options)
        #expect(HelpFormatter().usage(for: spec, path: ["tool", "cmd"]) == """
            USAGE: tool cmd [--option-number-1 <value>] [--option-number-2 <value>]
                            [--option-number-3 <value>] [--option-number-4 <value>]
                            [--option-number-5 <value>]
            """)
    }

    @Test func longExampleContinuesAfterABackslash() {
        let line = "tool serve --host 0.0.0.0 --port 443 --tls-cert cert.pem --tls-key key.pem --allowed-origin https://example.com"
        #expect(HelpFormatter().exampleCommandLine(line) == """
                tool serve --host 0.0.0.0 --port 443 --tls-cert cert.pem --tls-key key.pem \\
                    --allowed-origin https://example.com
            """)
    }
}
