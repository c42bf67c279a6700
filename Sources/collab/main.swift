import CollabCLI
import Foundation

// Everything the process reads from outside comes in here, so commands stay testable.
let status = CommandLineTool(root: CollabCommand.spec).run(
    Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment,
    output: .standard)
exit(status)
