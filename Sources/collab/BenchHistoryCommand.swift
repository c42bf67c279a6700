import CollabBenchmarks
import CollabCLI

/// `collab bench history`: diff, text at a version, restore and compaction on a large document.
enum BenchHistoryCommand {
    static let spec = CommandSpec(
        name: "history",
        abstract: "Time the history actions on a large real document.",
        discussion: """
            Stores an editing trace (by default automerge-paper, 259,778 ops) as one \
            document in a fresh database in --dir, with a snapshot every 1,000 ops, starts a \
            server on it in this process (loopback, port 0) and times over HTTP: the text at \
            random versions, the diff from version 0 to the head and between random \
            versions, restores of random versions, and the compaction of the whole \
            document, reporting the database's size before and after. The database is \
            removed at the end.
            """,
        options: [
            .option("--trace", value: "path", help: "The editing trace to store.",
                    defaultDescription: "the automerge-paper trace"),
            .option("--dir", value: "path", help: "Where the temporary database goes.", defaultValue: "/tmp"),
            .option("--samples", value: "count", kind: .integer(1...100_000),
                    help: "Requests for the rows over random versions.", defaultValue: "200"),
            .option("--runs", value: "count", kind: .integer(1...1_000),
                    help: "Requests for the rows over fixed versions.", defaultValue: "5"),
        ],
        examples: [CommandExample("The figures in docs/benchmarks.md:", "collab bench history")],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        return HistoryBenchmark.run(HistoryBenchmark.Settings(
            tracePath: arguments.string("--trace"), directory: arguments.string("--dir") ?? "/tmp",
            samples: arguments.int("--samples") ?? 200, runs: arguments.int("--runs") ?? 5), output: context.output)
    }
}
