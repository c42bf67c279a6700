import CollabBenchmarks
import CollabCLI

/// `collab bench ot`: replays an editing trace through the OT engine.
enum BenchOTCommand {
    static let spec = CommandSpec(
        name: "ot",
        abstract: "Replay an editing trace through the OT engine.",
        discussion: """
            Applies every edit of a recorded editing session to a document and reports \
            the time per run and the edits per second. Without --trace the built-in trace \
            is used.
            """,
        options: [
            .option("--trace", value: "path",
                    help: "The editing trace to replay instead of the built-in one."),
            .option("--runs", value: "count", kind: .integer(1...1_000),
                    help: "How many times to replay the trace.", defaultValue: "5"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        OTBenchmark.run(tracePath: context.arguments.string("--trace"),
                        runs: context.arguments.int("--runs") ?? 5)
    }
}
