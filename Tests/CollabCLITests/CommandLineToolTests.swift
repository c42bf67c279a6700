import Testing
@testable import CollabCLI

@Suite struct CommandLineToolTests {
    private func run(_ words: [String], environment: [String: String] = [:])
        -> (status: Int32, out: String, err: String) {
        let capture = OutputCapture()
        let status = SampleCommands.tool.run(words, environment: environment, output: capture.output)
        return (status, capture.standardOutput, capture.standardError)
    }

    @Test func helpGoesToStandardOutputWithStatusZero() {
        let result = run(["export", "--help"])
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("OVERVIEW: Write a document.\n"))
        #expect(result.err == "")
    }

    @Test func versionGoesToStandardOutput() {
        #expect(run(["--version"]) == (0, "1.2.3\n", ""))
    }

    @Test func usageErrorGoesToStandardErrorWithStatusTwo() {
        #expect(run(["serve", "--prot", "80"]) == (2, "", """
            error: unknown option '--prot'. Did you mean '--port'?
            See 'tool serve --help'.

            """))
    }

    @Test func actionRunsWithItsArguments() {
        #expect(run(["export", "notes"]) == (0, "exported notes\n", ""))
    }

    @Test func actionFailureIsStatusOne() {
        #expect(run(["fail"]) == (1, "", "error: the disk is full\n"))
    }

    @Test func actionIsNotRunOnAUsageError() {
        let result = run(["export"])
        #expect(result.status == 2)
        #expect(result.out == "")
        #expect(result.err == "error: missing argument <doc>.\nSee 'tool export --help'.\n")
    }

    @Test func notAvailableYetNamesTheCommandAndIssue() throws {
        let spec = CommandSpec(name: "serve", abstract: "Serve.", action: { context throws(CLIError) in
            context.notAvailableYet("the server", landsWith: "collaboration-server")
        })
        let root = CommandSpec(name: "collab", abstract: "C.", subcommands: [spec])
        let capture = OutputCapture()
        let status = CommandLineTool(root: root).run(["serve"], environment: [:], output: capture.output)
        #expect(status == 1)
        #expect(capture.standardOutput == "")
        #expect(capture.standardError
                == "collab serve: the server is not available yet in this build (it lands with the collaboration-server issue)\n")
    }

    @Test func sampleDeclarationIsSound() {
        #expect(SampleCommands.root.declarationProblems() == [])
    }

    @Test func declarationMistakesAreFound() {
        let spec = CommandSpec(
            name: "bad", abstract: "",
            arguments: [ArgumentSpec("rest", help: "", isVariadic: true), ArgumentSpec("last", help: "")],
            options: [
                .option("--port", value: "p", kind: .integer(1...10), help: "", defaultValue: "99"),
                .flag("--port", help: ""),
                .flag("-x", help: ""),
            ],
            constraints: [.together(["--nope"])])
        #expect(spec.declarationProblems() == [
            "bad: default '99' of '--port' is not valid",
            "bad: '--port' is declared twice",
            "bad: option '-x' must start with '--'",
            "bad: variadic <rest> must be the last argument",
            "bad: constraint names undeclared option '--nope'",
        ])
    }
}
