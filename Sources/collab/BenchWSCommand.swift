import CollabCLI

/// `collab bench ws`: WebSocket layer benchmark (not built yet).
enum BenchWSCommand {
    static let spec = CommandSpec(
        name: "ws",
        abstract: "Measure the WebSocket layer's throughput and latency.",
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        context.notAvailableYet("this benchmark", landsWith: "WebSocket-transport")
    }
}
