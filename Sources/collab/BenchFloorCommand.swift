import CollabBenchmarks
import CollabCLI

/// `collab bench floor`: the kernel's price, on this machine, of the I/O each op needs.
enum BenchFloorCommand {
    static let spec = CommandSpec(
        name: "floor",
        abstract: "Measure the kernel's CPU cost of the I/O one op needs on this machine.",
        discussion: """
            Runs no server code. Measures, in CPU time of the thread doing it: a wake-up (a \
            thread sleeping 2 ms, woken by its timer); a 130-byte send to a loopback TCP \
            socket whose reader sleeps in epoll_wait (--recipients readers, one message each \
            per round, as one op's broadcast); a reader woken for one 50-byte message and \
            reading it; and a commit: three WAL frames (3 × 4,120 bytes) appended to a file \
            in --dir and fdatasync'd. Then adds them up into the floor under the server CPU \
            per op of 'collab bench server --scenario footprint': with 1 document × 10 editors \
            each op is read once, sent 10 times (the ack and 9 broadcasts) and committed alone; \
            with 50 documents × 4 editors it is sent 4 times and shares a commit with \
            --ops-per-commit others; in both the loop is woken twice (the op arrives, the \
            commit is durable). Anything the server does besides (JSON, OT, SQLite, the hand-off \
            to its storage thread) comes on top. Each figure is the median of --runs runs.
            """,
        options: [
            .option("--dir", value: "path",
                    help: "Where the commit test file goes (the database's file system).",
                    defaultValue: "."),
            .option("--rounds", value: "count", kind: .integer(10...100_000),
                    help: "Rounds per measurement.", defaultValue: "500"),
            .option("--recipients", value: "count", kind: .integer(1...1_000),
                    help: "Readers each round of sends goes to.", defaultValue: "10"),
            .option("--ops-per-commit", value: "count", kind: .integer(1...10_000),
                    help: "Ops sharing one commit at 50 documents × 4 editors × 10/s (2,000 op/s took 377 fdatasyncs a second on the reference machine).",
                    defaultValue: "5"),
            .option("--runs", value: "count", kind: .integer(1...100),
                    help: "How many runs; the median is reported.", defaultValue: "3"),
        ],
        examples: [
            CommandExample("The floor on the file system of /var/lib/collab.",
                           "collab bench floor --dir /var/lib/collab"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        let floor = KernelFloor(directory: arguments.string("--dir") ?? ".",
                                rounds: arguments.int("--rounds") ?? 500,
                                recipients: arguments.int("--recipients") ?? 10)
        return floor.report(runs: arguments.int("--runs") ?? 3,
                            opsPerCommit: arguments.int("--ops-per-commit") ?? 5,
                            output: context.output)
    }
}
