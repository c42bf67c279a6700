/// `collab bench ot`: replays a real editing trace through the OT engine and rope.
enum OTBenchmark {
    /// Runs the benchmark; `tracePath` nil means the default trace. Returns the exit status.
    static func run(tracePath: String?, runs: Int) -> Int32 {
        print("bench ot: not implemented yet")
        return 1
    }
}
