import CollabCLI

/// `collab bench`: performance measurements.
enum BenchCommand {
    static let spec = CommandSpec(
        name: "bench",
        abstract: "Measure the performance of the engine and the server.",
        discussion: "Results go to standard output; progress and diagnostics to standard error.",
        subcommands: [BenchOTCommand.spec, BenchWSCommand.spec, BenchServerCommand.spec, BenchFloorCommand.spec,
                      BenchHistoryCommand.spec])
}
