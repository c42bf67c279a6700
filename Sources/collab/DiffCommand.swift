#if canImport(Glibc)
import Glibc
#endif
import CollabCLI
import CollabOT

/// `collab diff`: what changed in a document between two versions.
enum DiffCommand {
    static let spec = CommandSpec(
        name: "diff",
        abstract: "Show what changed in a document between two versions.",
        discussion: """
            Prints a unified diff by lines (as 'diff -u' does; lines end at LF only, so a CR \
            stays in its line) from the text at version <from> to the text at version <to> \
            (default: the current version), with '--- doc@from' and '+++ doc@to' headers. \
            It is coloured on a terminal and plain when piped. With --op it prints instead \
            the one text operation, in the wire format, that turns the first text into the \
            second (what 'GET /v1/docs/{id}/diff' answers). Equal texts print nothing.

            With --server the texts come from a running server (a viewer token for the \
            document is enough).
            """,
        arguments: [
            CollabCommand.documentArgument,
            ArgumentSpec("from", help: "The older version (a number of operations)."),
            ArgumentSpec("to", help: "The newer version; the current one if left out.", isRequired: false),
        ],
        options: [
            .flag("--op", help: "Print the text operation as JSON instead of a unified diff."),
            .option("--color", value: "when", kind: .choice(["auto", "always", "never"]),
                    help: "Colour the diff: auto (on a terminal), always or never.", defaultValue: "auto"),
            CollabCommand.databaseOption,
        ] + CollabCommand.remoteOptions,
        examples: [
            CommandExample("What changed in notes since version 120:", "collab diff notes 120"),
            CommandExample("The operation from version 3 to version 7 of notes:", "collab diff notes 3 7 --op"),
        ],
        action: run)

    static func run(_ context: CommandContext) throws(CLIError) -> Int32 {
        let arguments = context.arguments
        let doc = arguments.positional("doc") ?? ""
        let from = try version(context, "from")
        let source = try OperatorSources.open(context)
        let to = try arguments.positional("to") == nil ? source.document(doc).version : version(context, "to")
        guard from <= to else {
            throw context.usageError("<from> (\(from)) is after <to> (\(to)).")
        }
        let old = try source.text(doc: doc, at: .version(from)).text
        let new = try source.text(doc: doc, at: .version(to)).text
        if arguments.flag("--op") {
            context.output.printLine(TextDiff.operation(from: old, to: new).json.jsonString)
            return ExitStatus.success
        }
        let colored = switch arguments.string("--color") {
        case "always": true
        case "never": false
        default: isatty(STDOUT_FILENO) == 1
        }
        context.output.standardOutput(UnifiedDiff.render(from: old, to: new, oldLabel: "\(doc)@\(from)",
                                                         newLabel: "\(doc)@\(to)", colored: colored))
        return ExitStatus.success
    }

    private static func version(_ context: CommandContext, _ name: String) throws(CLIError) -> Int {
        let text = context.arguments.positional(name) ?? ""
        guard let value = Int(text), value >= 0, text.allSatisfy(\.isNumber) else {
            throw context.usageError("invalid value '\(text)' for <\(name)>: expected a version, a whole number from 0.")
        }
        return value
    }
}
