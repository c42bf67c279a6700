import CollabCLI

/// `collab bench server`: end-to-end load test (not built yet).
enum BenchServerCommand {
    static let spec = CommandSpec(
        name: "server",
        abstract: "Load a running server with simulated editors.",
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this benchmark", landsWith: "collaboration-server")
    }
}
