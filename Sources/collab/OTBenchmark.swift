/// `collab bench ot`: replays a real editing trace through the OT engine and rope.
enum OTBenchmark {
    /// Runs the benchmark with the arguments after `bench ot`; returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        print("bench ot: not implemented yet")
        return 1
    }
}
